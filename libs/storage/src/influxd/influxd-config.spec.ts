import { freePorts, renderInfluxdConfig } from './influxd-config';

describe(renderInfluxdConfig.name, () => {
  const config = renderInfluxdConfig({
    dataDir: '/var/lib/iag "x"/influxdb',
    httpPort: 18086,
    rpcPort: 18088,
  });

  it('binds HTTP and RPC to loopback on the given ports', () => {
    expect(config).toMatch(/^bind-address = "127\.0\.0\.1:18088"$/m);
    expect(config).toMatch(/\[http\][^[]*bind-address = "127\.0\.0\.1:18086"/);
  });

  it('turns HTTP authentication on', () => {
    expect(config).toMatch(/\[http\][^[]*auth-enabled = true/);
  });

  it('turns off reporting, the monitor store and HTTP/query logs', () => {
    expect(config).toMatch(/^reporting-disabled = true$/m);
    expect(config).toMatch(/\[monitor\]\s+store-enabled = false/);
    expect(config).toMatch(/\[http\][^[]*log-enabled = false/);
    expect(config).toMatch(/\[data\][^[]*query-log-enabled = false/);
  });

  it('keeps meta, data and wal under the data dir, with TOML-escaped paths', () => {
    expect(config).toContain('dir = "/var/lib/iag \\"x\\"/influxdb/meta"');
    expect(config).toContain('dir = "/var/lib/iag \\"x\\"/influxdb/data"');
    expect(config).toContain('wal-dir = "/var/lib/iag \\"x\\"/influxdb/wal"');
  });
});

describe(freePorts.name, () => {
  it('returns distinct usable ports', async () => {
    const [a, b] = await freePorts(2);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a).not.toBe(b);
  });
});
