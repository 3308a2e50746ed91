import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { OPENAPI_BEARER } from '../api.constants';

/** Serves the OpenAPI UI at /docs and the document at /docs-json (public, like the probes). */
export function setupOpenApi(app: NestFastifyApplication): void {
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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
