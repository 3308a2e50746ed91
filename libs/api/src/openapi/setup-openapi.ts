import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OPENAPI_BEARER } from '../api.constants';
import { SECURITY_HEADERS } from '../security/security-headers';
import { restComponents } from './rest-components';

const DOCS_PATH = 'docs';
/** What Nest would name an operation; a route must name its own instead. */
const UNNAMED = 'unnamed:';

/**
 * The OpenAPI document of the app's routes. Routes refer to the shapes of libs/contracts by name
 * ($ref), and those shapes are added here as `components.schemas`, so generated clients get named
 * types. Every route sets its own operationId (a client generator's method name).
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('IoT Anomaly Gateway')
    .setDescription(
      'Operator API: anomalies, devices, API keys, models. Authenticate with `Authorization: Bearer <api key>`; ' +
        'roles are viewer < operator < admin. Errors are `{statusCode, error, message}` (schema Error). ' +
        'Lists answer one page `{items, nextCursor}`: pass nextCursor back as `cursor` for the next one.',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key' },
      OPENAPI_BEARER,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${UNNAMED}${controller}.${method}`,
  });
  for (const operation of Object.values(document.paths).flatMap((item) => Object.values(item))) {
    const id = (operation as { operationId?: unknown }).operationId;
    if (typeof id === 'string' && id.startsWith(UNNAMED)) {
      throw new Error(`${id.slice(UNNAMED.length)} has no operationId (set one in @ApiOperation)`);
    }
  }
  document.components = { ...document.components, schemas: restComponents() };
  return document;
}

/**
 * Serves the OpenAPI UI at /docs and the document at /docs-json (public, like the probes), with
 * the dashboard's security headers: Swagger UI loads only its own files from the gateway.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      if (request.url.startsWith(`/${DOCS_PATH}`)) {
        reply.headers(SECURITY_HEADERS);
      }
    });
  SwaggerModule.setup(DOCS_PATH, app, buildOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
  });
}
