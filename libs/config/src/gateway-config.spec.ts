import { ConfigException, GatewayConfig } from '@iag/config';

describe(GatewayConfig.name, () => {
  it('applies the documented defaults', () => {
    const config = GatewayConfig.fromEnv({});
    expect(config.ports).toEqual({ mqtt: 1883, mqtts: 8883, http: 3000 });
    expect(config.influx.url).toBeUndefined();
    expect(config.influx.database).toBe('iot');
    expect(config.allowAnonymousDevices).toBe(false);
    expect(config.limits.maxPayloadBytes).toBe(65536);
    expect(config.logLevel).toBe('info');
  });

  it('lists every invalid variable at once', () => {
    let error: unknown;
    try {
      GatewayConfig.fromEnv({
        MQTT_PORT: 'abc',
        HTTP_PORT: '70000',
        INFLUX_URL: 'not a url',
        ALLOW_ANONYMOUS_DEVICES: 'maybe',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigException);
    const problems = (error as ConfigException).problems.join('\n');
    for (const name of [
      'MQTT_PORT',
      'HTTP_PORT',
      'INFLUX_URL',
      'ALLOW_ANONYMOUS_DEVICES',
      'LOG_LEVEL',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('treats an empty optional variable as unset', () => {
    expect(GatewayConfig.fromEnv({ INFLUX_URL: '' }).influx.url).toBeUndefined();
  });

  it('parses booleans and ports', () => {
    const config = GatewayConfig.fromEnv({ ALLOW_ANONYMOUS_DEVICES: 'true', MQTT_PORT: '0' });
    expect(config.allowAnonymousDevices).toBe(true);
    expect(config.ports.mqtt).toBe(0);
  });

  it('reads webhook URLs as a list and wants a secret with them', () => {
    expect(GatewayConfig.fromEnv({}).alerts.webhooks.urls).toEqual([]);
    const config = GatewayConfig.fromEnv({
      WEBHOOK_URLS: 'http://127.0.0.1:9000/hook, https://example.test/a',
      WEBHOOK_SECRET: 'a-secret-of-16-chars',
    });
    expect(config.alerts.webhooks).toMatchObject({
      urls: ['http://127.0.0.1:9000/hook', 'https://example.test/a'],
      secret: 'a-secret-of-16-chars',
      maxAttempts: 8,
    });
    expect(() => GatewayConfig.fromEnv({ WEBHOOK_URLS: 'http://127.0.0.1:9000/hook' })).toThrow(
      /WEBHOOK_SECRET/,
    );
    expect(() =>
      GatewayConfig.fromEnv({ WEBHOOK_URLS: 'ftp://x/y', WEBHOOK_SECRET: 'a-secret-of-16-chars' }),
    ).toThrow(/WEBHOOK_URLS/);
  });
});
