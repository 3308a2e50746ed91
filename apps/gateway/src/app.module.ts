import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { ConfigModule, GatewayConfig } from '@iag/config';
import { StorageModule } from '@iag/storage';
import { IngestionModule } from '@iag/ingestion';
import { ApiModule } from '@iag/api';

/** Secrets that must never reach a log line, whatever logs the request. */
const REDACTED = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/** Logs a request's path and the names of its query parameters, never their values. */
function describeRequest(req: {
  id?: unknown;
  method?: string;
  url?: string;
  remoteAddress?: string;
}) {
  const [path, query] = (req.url ?? '').split('?', 2);
  const params = query ? [...new URLSearchParams(query).keys()] : [];
  return { id: req.id, method: req.method, path, params, remoteAddress: req.remoteAddress };
}

@Module({})
export class AppModule {
  /** `logStream` replaces stdout as the log destination (tests read it to check what is logged). */
  static forRoot(config: GatewayConfig, logStream?: DestinationStream): DynamicModule {
    const pinoHttp: Options = {
      level: config.logLevel,
      redact: { paths: REDACTED, censor: '[redacted]' },
      serializers: { req: describeRequest },
      // Probes and scrapes are frequent and dull; errors are still logged.
      autoLogging: { ignore: (req) => /^\/(health|ready|metrics)\b/.test(req.url ?? '') },
    };
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: logStream ? [pinoHttp, logStream] : pinoHttp }),
        StorageModule,
        IngestionModule,
        ApiModule,
      ],
    };
  }
}
