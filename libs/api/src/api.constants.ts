/** Base path of the REST routes (DESIGN.md, REST contract); health, readiness and metrics live at the root. */
export const API_BASE = 'api/v1';

/** Reflector keys set by the auth decorators. */
export const ROLE_METADATA = 'iag:api:role';
export const PUBLIC_METADATA = 'iag:api:public';

/** The bearer scheme's name in the OpenAPI document. */
export const OPENAPI_BEARER = 'api-key';

/** A comment line on idle SSE streams, so proxies keep them open and dead clients are noticed. */
export const SSE_HEARTBEAT_MS = 15_000;

/** Longer bearer values are refused without hashing them (API keys are far shorter). */
export const MAX_API_KEY_LENGTH = 512;
