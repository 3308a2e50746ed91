import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerException } from '../broker.exception';
import { loadTopicAcl } from './acl-loader';

describe(loadTopicAcl.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'iag-acl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const failure = (setting: string): string => {
    try {
      loadTopicAcl(setting);
    } catch (error) {
      expect(error).toBeInstanceOf(BrokerException);
      return (error as Error).message;
    }
    throw new Error('loaded');
  };

  it('uses the built-in rules when unset and the open preset for "open"', () => {
    expect(loadTopicAcl(undefined).source).toBe('built-in rules');
    expect(loadTopicAcl('open').acl.isOpen()).toBe(true);
  });

  it('loads a valid rules file', () => {
    const path = file(
      'ok.json',
      JSON.stringify({
        rules: [{ effect: 'allow', principal: 'device', action: 'publish', topic: 'x/{deviceId}' }],
      }),
    );
    const { acl, source } = loadTopicAcl(path);
    expect(source).toBe(path);
    expect(acl.canPublish({ kind: 'device', deviceId: 'd1', via: 'token' }, 'x/d1')).toBe(true);
  });

  it('names every problem of an invalid file at once', () => {
    const path = file(
      'bad.json',
      JSON.stringify({
        rules: [
          { effect: 'permit', principal: 'device', action: 'publish', topic: 'a' },
          {
            effect: 'allow',
            principal: 'service',
            action: 'subscribe',
            topic: 'devices/{deviceId}/#',
          },
          {
            effect: 'allow',
            principal: 'device',
            role: 'admin',
            action: 'publish',
            topic: 'a/#/b',
          },
          { effect: 'allow', principal: 'any', action: 'subscribe', topic: '$SYS/#', extra: 1 },
          { effect: 'allow', principal: 'device', action: 'publish', topic: 'a/{clientId}' },
        ],
      }),
    );
    const message = failure(path);
    for (const expected of [
      path,
      'rules.0.effect',
      'rules.1.topic: "devices/{deviceId}/#": {deviceId} needs principal device or anonymous',
      'rules.2.role: only applies to service rules',
      'rules.2.topic: "a/#/b": \'#\' must be a whole level and the last one',
      'extra',
      'rules.3.topic: "$SYS/#": $ topics are reserved',
      'unknown placeholder {clientId}',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('names a missing file and a file that is not JSON', () => {
    expect(failure(join(dir, 'missing.json'))).toContain('cannot be read (ENOENT)');
    expect(failure(file('text.json', 'rules: []'))).toContain('is not JSON');
  });
});
