import { readFileSync, writeFileSync } from 'node:fs';
import { OPENAPI_FILE, OPENAPI_WRITE } from '../support/openapi-file';
import { startTestGateway, TestGateway } from '../support/test-gateway';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operations(document: Json): { route: string; operation: Json }[] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((method) => method in item).map((method) => ({
      route: `${method.toUpperCase()} ${path}`,
      operation: item[method] as Json,
    })),
  );
}

/** Every `$ref` anywhere in `value`. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refs(inner),
  );
}

describe('OpenAPI document', () => {
  let gateway: TestGateway;
  let served: Json;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const response = await gateway.http('/docs-json', { key: null });
    expect(response.status).toBe(200);
    served = response.body;
    if (OPENAPI_WRITE) writeFileSync(OPENAPI_FILE, `${JSON.stringify(served, null, 2)}\n`);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('is the committed openapi.json (run `npm run openapi` after changing a route or a shape)', () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(served).toEqual(committed);
  });

  it('names every operation once, in camelCase', () => {
    const ids = operations(served).map(({ operation }) => operation.operationId);
    expect(ids.every((id) => /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refers to JSON bodies by name, and every name is defined', () => {
    const schemas = served.components.schemas as Json;
    for (const ref of refs(served)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(Object.keys(schemas)).toContain(ref.split('/').pop());
    }
    for (const { route, operation } of operations(served)) {
      const bodies = [
        operation.requestBody,
        ...Object.values((operation.responses ?? {}) as Json),
      ].filter(Boolean);
      for (const body of bodies) {
        const schema = body.content?.['application/json']?.schema;
        if (schema === undefined) continue;
        const named = schema.$ref ?? schema.items?.$ref;
        expect({ route, named: typeof named }).toEqual({ route, named: 'string' });
      }
    }
  });

  it('documents the errors of authentication, and of bodies on every POST', () => {
    for (const { route, operation } of operations(served)) {
      const statuses = Object.keys(operation.responses);
      if (operation.security) {
        expect({ route, statuses }).toEqual({
          route,
          statuses: expect.arrayContaining(['401', '403', '429']),
        });
      }
      if (route.startsWith('POST')) {
        expect({ route, statuses }).toEqual({
          route,
          statuses: expect.arrayContaining(['400', '413']),
        });
      }
      for (const status of statuses) {
        expect({
          route,
          status,
          described: Boolean(operation.responses[status].description),
        }).toEqual({
          route,
          status,
          described: true,
        });
      }
    }
  });

  it('pages every list of the operator API the same way', () => {
    for (const path of ['/api/v1/anomalies', '/api/v1/devices', '/api/v1/keys']) {
      const list = served.paths[path].get;
      const params = list.parameters.map((p: Json) => p.name);
      expect({ path, params }).toEqual({
        path,
        params: expect.arrayContaining(['limit', 'cursor']),
      });
      const page = list.responses['200'].content['application/json'].schema.$ref.split('/').pop();
      expect(Object.keys(served.components.schemas[page].properties)).toEqual([
        'items',
        'nextCursor',
      ]);
    }
  });
});
