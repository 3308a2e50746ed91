import { startTestGateway, TestGateway } from '../support/test-gateway';

describe('Operations endpoints', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('reports liveness without a key', async () => {
    const health = await gateway.http('/health', { key: null });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  });

  it('reports readiness with InfluxDB reachable', async () => {
    const ready = await gateway.http('/ready', { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks.influx.ok).toBe(true);
  });

  it('serves OpenAPI describing the REST contract', async () => {
    const docs = await gateway.http('/docs-json', { key: null });
    expect(docs.status).toBe(200);
    for (const path of [
      '/api/v1/anomalies',
      '/api/v1/anomalies/{id}/acknowledge',
      '/api/v1/devices',
      '/api/v1/devices/{id}/telemetry',
    ]) {
      expect(Object.keys(docs.body.paths)).toContain(path);
    }
    expect(JSON.stringify(docs.body.components?.securitySchemes ?? {})).toContain('bearer');
    // every authenticated route documents the throttle's and the stream caps' 429
    expect(Object.keys(docs.body.paths['/api/v1/anomalies'].get.responses)).toContain('429');
    expect(Object.keys(docs.body.paths['/api/v1/anomalies/stream'].get.responses)).toContain('429');
  });

  it('serves Prometheus metrics', async () => {
    const metrics = await gateway.http('/metrics', { key: null });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('iag_mqtt_connections');
    expect(metrics.text).toMatch(/^process_resident_memory_bytes \d/m);
  });

  it('creates, lists and revokes API keys, showing each secret once', async () => {
    const created = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name: 'ops', role: 'operator' },
    });
    expect(created.status).toBe(201);
    const listed = await gateway.http('/api/v1/keys');
    expect(listed.body.items.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(listed.text).not.toContain(created.body.key);
    expect((await gateway.http('/api/v1/anomalies', { key: created.body.key })).status).toBe(200);
    expect(
      (await gateway.http(`/api/v1/keys/${created.body.id}`, { method: 'DELETE' })).status,
    ).toBeLessThan(300);
    expect((await gateway.http('/api/v1/anomalies', { key: created.body.key })).status).toBe(401);
  });
});
