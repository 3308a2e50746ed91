import type { Server as HttpServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { GatewayConfig } from '@iag/config';
import { BrokerService, loadTlsMaterial } from '@iag/broker';
import { httpTransportOptions, instrumentHttp, limitHttpServer, setupOpenApi } from '@iag/api';
import { AppModule } from './app.module';
import { createGatewayLogger, logRequests } from './logging';

export interface RunningGateway {
  app: NestFastifyApplication;
  httpPort: number;
  /** `https` when the HTTP listener serves TLS (TLS_CERT set and HTTP_TLS not false). */
  httpScheme: 'http' | 'https';
  /** 0 when MQTT_PORT=off. */
  mqttPort: number;
  /** 0 when TLS is not configured. */
  mqttsPort: number;
  close(): Promise<void>;
}

/** Builds and starts the whole gateway: used by main.ts and by the e2e suites. */
export async function createGateway(
  config: GatewayConfig,
  logStream?: DestinationStream,
): Promise<RunningGateway> {
  const https = config.tls.http ? loadTlsMaterial(config.tls) : undefined;
  const logger = createGatewayLogger(config, logStream);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger),
    new FastifyAdapter(httpTransportOptions(config, https)),
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  logRequests(app, logger);
  // No enableShutdownHooks(): Nest would re-raise the signal after closing (exit 143); main.ts
  // closes on SIGTERM itself and exits 0.
  instrumentHttp(app);
  limitHttpServer(app.getHttpServer() as HttpServer, config);
  setupOpenApi(app);
  const broker = app.get(BrokerService);
  broker.attachWebSocket(app.getHttpServer() as HttpServer);
  await app.listen(config.ports.http, config.bindHost);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  return {
    app,
    httpPort,
    httpScheme: https ? 'https' : 'http',
    mqttPort: broker.mqttPort(),
    mqttsPort: broker.mqttsPort(),
    close: () => app.close(),
  };
}
