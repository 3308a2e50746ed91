import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { OPENAPI_BEARER } from '../api.constants';
import { SECURITY_HEADERS } from '../security/security-headers';

const DOCS_PATH = 'docs';

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
  const config = new DocumentBuilder()
    .setTitle('IoT Anomaly Gateway')
    .setDescription(
      'Operator API: anomalies, devices, API keys. Authenticate with `Authorization: Bearer <api key>`; ' +
        'roles are viewer < operator < admin. Errors are `{statusCode, error, message}`.',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key' },
      OPENAPI_BEARER,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json` });
}
