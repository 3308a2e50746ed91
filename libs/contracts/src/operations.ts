import { z } from 'zod';
import { responseShape } from './rest-registry';

/** The one error body of the REST API. */
export const errorBodySchema = responseShape(
  z.object({
    statusCode: z.number().int(),
    error: z.string().describe('The status text, such as "Bad Request"'),
    message: z.string().describe('Names every bad parameter on a 400'),
  }),
  { id: 'Error' },
);
export type ErrorBody = z.output<typeof errorBodySchema>;

export const healthSchema = responseShape(
  z.object({ status: z.literal('ok'), uptimeSeconds: z.number() }),
  { id: 'Health' },
);
export type Health = z.output<typeof healthSchema>;

export const readinessCheckSchema = responseShape(
  z.object({ ok: z.boolean() }).catchall(z.unknown()),
  {
    id: 'ReadinessCheck',
    description: 'ok, with what the check measured (spool depth, last error, ...)',
  },
);
export type ReadinessCheck = z.output<typeof readinessCheckSchema>;

export const readinessSchema = responseShape(
  z.object({
    status: z.enum(['ready', 'degraded']),
    checks: z.object({
      influx: readinessCheckSchema,
      detector: readinessCheckSchema,
      writer: readinessCheckSchema,
    }),
    failing: z.array(z.string()).describe('Names of the failing checks; empty when ready'),
  }),
  { id: 'Readiness' },
);
export type Readiness = z.output<typeof readinessSchema>;
