/**
 * The headers of every page the gateway serves to a browser (the dashboard, the OpenAPI UI):
 * scripts, styles and data only from the gateway itself, no framing, no referrer. Inline styles
 * are allowed (uPlot and Swagger UI set them); inline scripts are not.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};
