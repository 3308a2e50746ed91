import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino, { DestinationStream, Logger as PinoInstance } from 'pino';
import { pinoHttp } from 'pino-http';
import { GatewayConfig } from '@iag/config';

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

/** The one pino logger of the gateway: Nest's Logger writes through it, and so does the request log. */
export function createGatewayLogger(
  config: GatewayConfig,
  logStream?: DestinationStream,
): PinoInstance {
  const options = { level: config.logLevel, redact: { paths: REDACTED, censor: '[redacted]' } };
  return logStream ? pino(options, logStream) : pino(options);
}

/**
 * One line per HTTP request (pino-http), from a Fastify hook rather than nestjs-pino's middleware:
 * that middleware also binds each request's logger through AsyncLocalStorage, which on Node 20
 * installs a promise hook for the whole process. Every promise of the MQTT path then paid for it:
 * ~7% of the flood's CPU per message (issue 7). Service logs name their actor instead.
 */
export function logRequests(app: NestFastifyApplication, logger: PinoInstance): void {
  const requestLog = pinoHttp({
    logger,
    serializers: { req: describeRequest },
    // Probes and scrapes are frequent and dull; errors are still logged.
    autoLogging: { ignore: (req) => /^\/(health|ready|metrics)\b/.test(req.url ?? '') },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      requestLog(request.raw, reply.raw);
      done();
    });
}
