import { join } from 'node:path';

/** The committed OpenAPI document (what client generators read); `npm run openapi` rewrites it. */
export const OPENAPI_FILE = join(__dirname, '..', '..', 'openapi.json');

/** Set by `npm run openapi`: the drift test writes the served document instead of comparing. */
export const OPENAPI_WRITE = process.env.IAG_WRITE_OPENAPI === '1';
