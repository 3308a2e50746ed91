import { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { GatewayConfig } from '@iag/config';
import { BrokerService } from '@iag/broker';
import { setupOpenApi } from '@iag/api';
import { AppModule } from './app.module';

export interface RunningGateway {
  app: NestFastifyApplication;
  httpPort: number;
  mqttPort: number;
  close(): Promise<void>;
}

/** Builds and starts the whole gateway: used by main.ts and by the e2e suites. */
export async function createGateway(
  config: GatewayConfig,
  logStream?: DestinationStream,
): Promise<RunningGateway> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logStream),
    new FastifyAdapter({ bodyLimit: 1_048_576 }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  // No enableShutdownHooks(): Nest would re-raise the signal after closing (exit 143); main.ts
  // closes on SIGTERM itself and exits 0.
  setupOpenApi(app);
  await app.listen(config.ports.http, config.bindHost);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const mqttPort = app.get(BrokerService).mqttPort();
  return { app, httpPort, mqttPort, close: () => app.close() };
}
