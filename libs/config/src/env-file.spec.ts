import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigException, loadEnvFile } from '@iag/config';

function envFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'env-file-')), '.env');
  writeFileSync(path, text);
  return path;
}

describe(loadEnvFile.name, () => {
  it('sets what the environment lacks and leaves what it has: the environment wins', () => {
    const path = envFile(
      '# the gateway\nHTTP_PORT=3100\nexport LOG_LEVEL=debug\n\nINFLUX_DATABASE="plant 7" # quoted\nMQTT_PORT=\n',
    );
    const env: NodeJS.ProcessEnv = { HTTP_PORT: '3200', MQTT_PORT: '' };
    const result = loadEnvFile(path, env);
    expect(env).toEqual({
      HTTP_PORT: '3200',
      MQTT_PORT: '',
      LOG_LEVEL: 'debug',
      INFLUX_DATABASE: 'plant 7',
    });
    expect(result).toEqual({
      path,
      applied: ['INFLUX_DATABASE', 'LOG_LEVEL'],
      overridden: ['HTTP_PORT', 'MQTT_PORT'],
    });
  });

  it('does nothing without a file', () => {
    const env: NodeJS.ProcessEnv = {};
    const missing = join(mkdtempSync(join(tmpdir(), 'env-file-')), '.env');
    expect(loadEnvFile(missing, env)).toEqual({ path: undefined, applied: [], overridden: [] });
    expect(env).toEqual({});
  });

  it('refuses a malformed file, naming every bad line, and sets nothing', () => {
    const path = envFile('HTTP_PORT=3100\nLOG_LEVEL debug\nexport\n1ST=x\nMQTT-PORT=1\n');
    const env: NodeJS.ProcessEnv = {};
    let error: unknown;
    try {
      loadEnvFile(path, env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigException);
    expect((error as ConfigException).problems).toEqual([
      `${path} line 2: expected NAME=value, got "LOG_LEVEL debug"`,
      `${path} line 3: expected NAME=value, got "export"`,
      `${path} line 4: expected NAME=value, got "1ST=x"`,
      `${path} line 5: expected NAME=value, got "MQTT-PORT=1"`,
    ]);
    expect(env).toEqual({});
  });

  it('says so when .env exists but cannot be read', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'env-file-')), '.env');
    mkdirSync(dir);
    expect(() => loadEnvFile(dir, {})).toThrow(`${dir}: cannot be read`);
  });
});
