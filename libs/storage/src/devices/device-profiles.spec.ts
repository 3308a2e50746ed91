import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageException, StorageExceptionCode } from '../storage.exception';
import { loadDeclaredProfiles } from './device-profiles';

describe(loadDeclaredProfiles.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'iag-profiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (content: unknown) => {
    const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const failure = (path: string): string => {
    try {
      loadDeclaredProfiles(path);
    } catch (error) {
      expect(error).toBeInstanceOf(StorageException);
      expect((error as StorageException).code).toBe(StorageExceptionCode.INVALID_PROFILES);
      return (error as Error).message;
    }
    throw new Error('loaded');
  };

  it('declares nothing when unset', () => {
    expect(loadDeclaredProfiles(undefined).size).toBe(0);
  });

  it("reads each profile's metrics", () => {
    const profiles = loadDeclaredProfiles(
      file({ profiles: { thermostat: { metrics: ['temp', 'hum'] }, meter: { metrics: ['kwh'] } } }),
    );
    expect([...profiles.keys()]).toEqual(['thermostat', 'meter']);
    expect([...profiles.get('thermostat')!]).toEqual(['temp', 'hum']);
  });

  it('names every problem: reserved and malformed names, duplicates, empty lists, unknown keys', () => {
    const message = failure(
      file({
        profiles: {
          a: { metrics: ['temp', 'device_id'] },
          b: { metrics: ['x', 'x'] },
          c: { metrics: [] },
          'bad name': { metrics: ['t'] },
          d: { metrics: ['1x'], extra: true },
        },
      }),
    );
    expect(message).toContain('profiles.a.metrics.1: metric name "device_id" is reserved');
    expect(message).toContain('profiles.b.metrics: lists a metric twice');
    expect(message).toContain('profiles.c.metrics: declare at least one metric');
    expect(message).toMatch(/profiles\.bad name: a profile name must match/);
    expect(message).toContain('profiles.d.metrics.0: metric name "1x" must match');
    expect(message).toContain('unknown parameter(s) extra');
  });

  it('says when the file cannot be read or is not JSON', () => {
    expect(failure(join(dir, 'missing.json'))).toMatch(/cannot be read \(ENOENT\)/);
    expect(failure(file('{"profiles":'))).toMatch(/is not JSON/);
    expect(failure(file([]))).toMatch(/must be a JSON object with a profiles object/);
  });
});
