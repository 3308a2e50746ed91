import { restRequestSchemas, restResponseSchemas, type RestSchemaMeta } from '@iag/contracts';
import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

const COMPONENTS = '#/components/schemas/';

type Registry = typeof restResponseSchemas;

/** `$ref` to a schema named in `registry`; a shape without a name fails at startup, not in a client. */
export function refTo(registry: Registry, schema: z.ZodType): { $ref: string } {
  const meta: RestSchemaMeta | undefined = registry.get(schema);
  if (!meta) {
    throw new Error(
      `a REST shape is not named in libs/contracts (${schema.description ?? 'no description'})`,
    );
  }
  return { $ref: `${COMPONENTS}${meta.id}` };
}

function convert(registry: Registry, io: 'input' | 'output'): Record<string, SchemaObject> {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: 'openapi-3.0',
    unrepresentable: 'any',
    uri: (id) => `${COMPONENTS}${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [
      id,
      schema as SchemaObject,
    ]),
  );
}

/**
 * `components.schemas` of the document: every shape named in libs/contracts, responses in their
 * output form and request bodies in their input form. A name used for two different shapes stops
 * the build (a generated client could only keep one of them).
 */
export function restComponents(): Record<string, SchemaObject> {
  const responses = convert(restResponseSchemas, 'output');
  const requests = convert(restRequestSchemas, 'input');
  for (const [id, schema] of Object.entries(requests)) {
    if (id in responses && JSON.stringify(responses[id]) !== JSON.stringify(schema)) {
      throw new Error(`OpenAPI schema name ${id} is used for two different shapes`);
    }
  }
  return { ...responses, ...requests };
}
