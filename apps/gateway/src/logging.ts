import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino, { DestinationStream, Logger as PinoInstance } from 'pino';
import { pinoHttp } from 'pino-http';
import { isColorSupported, PinoPretty } from 'pino-pretty';
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

/** `auto` is pretty for a person at a terminal, JSON lines for anything that reads them (pipes, files, journald). */
export function chooseLogFormat(
  setting: GatewayConfig['logFormat'],
  isTty: boolean,
): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return isTty ? 'pretty' : 'json';
}

/**
 * Readable lines for a terminal: time, level, the Nest context, the message, extras on one line.
 * pino redacts before it serializes, so this stream only ever sees redacted lines. It formats in
 * this thread: fine for a terminal, which is why JSON stays the default everywhere else.
 */
export function prettyStream(destination: number | NodeJS.WritableStream = 1): DestinationStream {
  return PinoPretty({
    destination,
    // colours only on a terminal that takes them (pino-pretty asks colorette: tty, NO_COLOR, TERM)
    colorize: destination === 1 && isColorSupported,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

/** What every gateway logger shares, whatever it writes to: the level and the redaction of secrets. */
export function gatewayLogOptions(config: GatewayConfig): pino.LoggerOptions {
  return { level: config.logLevel, redact: { paths: REDACTED, censor: '[redacted]' } };
}

/** The one pino logger of the gateway: Nest's Logger writes through it, and so does the request log. */
export function createGatewayLogger(
  config: GatewayConfig,
  logStream?: DestinationStream,
): PinoInstance {
  const options = gatewayLogOptions(config);
  if (logStream) return pino(options, logStream);
  const format = chooseLogFormat(config.logFormat, process.stdout.isTTY === true);
  return format === 'pretty' ? pino(options, prettyStream()) : pino(options);
}

/**
 * One line per HTTP request (pino-http), from a Fastify hook rather than nestjs-pino's middleware:
 * that middleware also binds each request's logger through AsyncLocalStorage, which on Node 20
 * installs a promise hook for the whole process. Every promise of the MQTT path then paid for it:
 * ~7% of the flood's CPU per message. Service logs name their actor instead.
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
