import { z } from 'zod';

/** The name a shape has in the OpenAPI document (`components.schemas`) and in generated clients. */
export interface RestSchemaMeta {
  id: string;
  description?: string;
}

/** Shapes the REST API answers and streams: documented in their output form. */
export const restResponseSchemas = z.registry<RestSchemaMeta>();
/** Request bodies: documented in their input form (what a client sends, before defaults and transforms). */
export const restRequestSchemas = z.registry<RestSchemaMeta>();

export function responseShape<T extends z.ZodType>(schema: T, meta: RestSchemaMeta): T {
  restResponseSchemas.add(schema, meta);
  return schema;
}

export function requestShape<T extends z.ZodType>(schema: T, meta: RestSchemaMeta): T {
  restRequestSchemas.add(schema, meta);
  return schema;
}

/** A shape both sent and answered (an enum): named once, the same in both forms. */
export function sharedShape<T extends z.ZodType>(schema: T, meta: RestSchemaMeta): T {
  return requestShape(responseShape(schema, meta), meta);
}

export const isoTimeSchema = z.string().describe('ISO 8601 date-time');
