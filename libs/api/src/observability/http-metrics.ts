import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Histogram } from 'prom-client';

export const httpRequestDuration = new Histogram({
  name: 'iag_http_request_duration_seconds',
  help: 'REST request duration from arrival to the last byte of the response, by route pattern, method and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/**
 * Times every request Fastify answers. The route label is the pattern (/api/v1/devices/:id), never
 * the path, so a device id or a scanner's random URLs cannot grow the series; unmatched ones share one.
 */
export function instrumentHttp(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      httpRequestDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
}
