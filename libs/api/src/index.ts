export { ApiModule } from './api.module';
export { buildOpenApiDocument, setupOpenApi } from './openapi/setup-openapi';
export { API_BASE } from './api.constants';
export { Public, Roles, CurrentPrincipal } from './auth/auth.decorators';
export type { AuthenticatedRequest } from './auth/auth.decorators';
export { instrumentHttp } from './observability/http-metrics';
export { httpTransportOptions, limitHttpServer } from './transport/http-transport';
