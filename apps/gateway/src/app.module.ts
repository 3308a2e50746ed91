import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { ConfigModule, GatewayConfig } from '@iag/config';
import { StorageModule } from '@iag/storage';
import { IngestionModule } from '@iag/ingestion';
import { ApiModule } from '@iag/api';

@Module({})
export class AppModule {
  /** `logger`: the gateway's pino logger (createGatewayLogger), which Nest's Logger writes through. */
  static forRoot(config: GatewayConfig, logger: PinoLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // No routes: requests are logged by logRequests() without nestjs-pino's AsyncLocalStorage.
        LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }),
        StorageModule,
        IngestionModule,
        ApiModule,
      ],
    };
  }
}
