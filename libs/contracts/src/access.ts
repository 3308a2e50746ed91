import { z } from 'zod';
import { pageSchema } from './paging';
import { isoTimeSchema, responseShape, sharedShape } from './rest-registry';

/** REST roles; each includes the rights of the ones before it. */
export const roleSchema = sharedShape(z.enum(['viewer', 'operator', 'admin']), {
  id: 'Role',
  description:
    'viewer (read) < operator (+ acknowledge, resolve) < admin (+ devices, keys, models)',
});
export type Role = z.output<typeof roleSchema>;
export const ROLES: readonly Role[] = roleSchema.options;

export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Who did something, as recorded on acknowledgements and shown in logs (never the secret). */
export const principalSchema = responseShape(
  z.object({ keyId: z.string(), name: z.string(), role: roleSchema }),
  { id: 'Principal', description: 'The API key making the request (never its secret)' },
);
export type Principal = z.output<typeof principalSchema>;

export const apiKeyViewSchema = responseShape(
  z.object({ id: z.string(), name: z.string(), role: roleSchema, createdAt: isoTimeSchema }),
  { id: 'ApiKey', description: 'An API key (never its secret)' },
);
export type ApiKeyView = z.output<typeof apiKeyViewSchema>;

export const createdApiKeySchema = responseShape(
  apiKeyViewSchema.extend({
    key: z.string().describe('The bearer secret; shown once, only its hash is stored'),
  }),
  { id: 'CreatedApiKey' },
);
export type CreatedApiKey = z.output<typeof createdApiKeySchema>;

export const apiKeyPageSchema = responseShape(pageSchema(apiKeyViewSchema), {
  id: 'ApiKeyPage',
  description: 'API keys, oldest first',
});
