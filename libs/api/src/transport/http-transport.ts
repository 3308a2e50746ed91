import type { Server as HttpServer, ServerOptions } from 'node:http';
import type { TlsOptions } from 'node:tls';
import type { GatewayConfig } from '@iag/config';
import { httpClientErrors, httpConnectionsDropped } from '../api.metrics';

/**
 * How often Node looks for requests past their headers or request timeout. Its default, 30 s,
 * would let a slow-header client hold a connection for up to 30 s past HTTP_HEADERS_TIMEOUT_MS.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

interface CommonOptions {
  bodyLimit: number;
  requestTimeout: number;
  connectionTimeout: number;
  keepAliveTimeout: number;
}
/** The part of Fastify's server options set here (Fastify's own types differ between copies). */
export type HttpTransportOptions =
  | (CommonOptions & { http: ServerOptions })
  | (CommonOptions & { https: TlsOptions & ServerOptions });

/**
 * Fastify's options for the HTTP listener: the whole request (headers and body) must arrive within
 * HTTP_REQUEST_TIMEOUT_MS and its headers within HTTP_HEADERS_TIMEOUT_MS (else 408 and closed),
 * a silent socket is closed after HTTP_CONNECTION_TIMEOUT_MS, an idle keep-alive one after
 * HTTP_KEEP_ALIVE_TIMEOUT_MS, and a body over HTTP_BODY_LIMIT_BYTES is a 413. Node applies the
 * first two only while a request is being read, so they never cut an SSE stream or an MQTT
 * WebSocket; both turn the socket's inactivity timeout off for themselves.
 */
export function httpTransportOptions(
  config: GatewayConfig,
  tls: TlsOptions | undefined,
): HttpTransportOptions {
  const { http } = config;
  const server: ServerOptions = {
    requestTimeout: http.requestTimeoutMs,
    headersTimeout: http.headersTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  const common = {
    bodyLimit: http.bodyLimitBytes,
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.connectionTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
  };
  return tls ? { ...common, https: { ...tls, ...server } } : { ...common, http: server };
}

const CLIENT_ERROR_REASONS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'timeout',
  HPE_HEADER_OVERFLOW: 'header_overflow',
};

/**
 * The connection cap (HTTP_MAX_CONNECTIONS, MQTT over WebSocket included): Node closes a
 * connection past it on arrival, before anything is read, so there is no request to answer.
 * Both that and client errors (Fastify answers those itself: 408, 431, 400) are counted.
 */
export function limitHttpServer(server: HttpServer, config: GatewayConfig): void {
  server.maxConnections = config.http.maxConnections;
  server.on('drop', () => httpConnectionsDropped.inc());
  server.on('clientError', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNRESET') return; // the client left: nothing it did wrong
    httpClientErrors.inc({ reason: CLIENT_ERROR_REASONS[error.code ?? ''] ?? 'malformed' });
  });
}
