import { Module, OnModuleInit } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GatewayConfig } from '@iag/config';
import { DetectionModule } from '@iag/detection';
import { AnomaliesController } from './anomalies/anomalies.controller';
import { AnomaliesService } from './anomalies/anomalies.service';
import { startDefaultMetrics } from './api.metrics';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthFailureThrottle } from './auth/auth-failure-throttle';
import { DashboardController } from './dashboard/dashboard.controller';
import { InitialAdminKey } from './bootstrap/initial-admin-key';
import { DevicesController } from './devices/devices.controller';
import { DevicesService } from './devices/devices.service';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { HealthController } from './health/health.controller';
import { ReadinessService } from './health/readiness.service';
import { KeysController } from './keys/keys.controller';
import { KeysService } from './keys/keys.service';
import { ModelsController } from './models/models.controller';

/**
 * The REST API (DESIGN.md, REST contract). Storage and broker are global modules.
 * Registers the API key guard and the error filter app-wide: every route must say who may call it.
 */
@Module({
  imports: [DetectionModule],
  controllers: [
    HealthController,
    AnomaliesController,
    DevicesController,
    KeysController,
    ModelsController,
    DashboardController,
  ],
  providers: [
    AnomaliesService,
    DevicesService,
    KeysService,
    ReadinessService,
    InitialAdminKey,
    {
      provide: AuthFailureThrottle,
      useFactory: (config: GatewayConfig) =>
        new AuthFailureThrottle({ limit: config.restLimits.authFailuresPerMinute }),
      inject: [GatewayConfig],
    },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
})
export class ApiModule implements OnModuleInit {
  onModuleInit(): void {
    startDefaultMetrics();
  }
}
