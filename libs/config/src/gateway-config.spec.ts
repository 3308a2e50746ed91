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
    expect(config.spool.maxBytes).toBe(1024 ** 3);
    expect(config.writer.shutdownFlushMs).toBe(10_000);
    expect(config.mqttLimits).toEqual({
      maxConnections: 10_000,
      drainTimeoutMs: 5_000,
      deviceMessagesPerSec: 100,
      deviceBytesPerSec: 1_048_576,
    });
  });

  it('refuses a spool bound under 1 MiB and negative rates', () => {
    expect(() => GatewayConfig.fromEnv({ SPOOL_MAX_BYTES: '1000' })).toThrow('SPOOL_MAX_BYTES');
    expect(() => GatewayConfig.fromEnv({ DEVICE_MAX_MESSAGES_PER_SEC: '-1' })).toThrow(
      'DEVICE_MAX_MESSAGES_PER_SEC',
    );
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
});
