export { ApiModule } from './api.module';
export { setupOpenApi } from './openapi/setup-openapi';
export { API_BASE } from './api.constants';
export { Public, Roles, CurrentPrincipal } from './auth/auth.decorators';
export type { AuthenticatedRequest } from './auth/auth.decorators';
export type { ErrorBody } from './errors/api-exception.filter';
export type { Readiness, ReadinessCheck } from './health/readiness.service';
export { instrumentHttp } from './observability/http-metrics';
export { httpTransportOptions, limitHttpServer } from './transport/http-transport';
