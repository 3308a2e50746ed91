import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGatewayProcess } from '../support/gateway-process';
import { PRETTY_LINE, runAndCollect } from '../support/process-logs';
import { testDir } from '../support/test-config';

/** A working directory of its own with this `.env`, as a deployment's (systemd WorkingDirectory=). */
function workDirWith(envFile: string): string {
  const dir = testDir('workdir-');
  writeFileSync(join(dir, '.env'), envFile);
  return dir;
}

describe('.env in the working directory', () => {
  it('is read at start, and a variable of the environment wins over it', async () => {
    const cwd = workDirWith('# local settings\nLOG_FORMAT=pretty\nLOG_LEVEL=silent\n');
    // LOG_LEVEL=info from the environment beats the file's silent; LOG_FORMAT comes from the file.
    const run = await runAndCollect({ LOG_LEVEL: 'info', MODELS_DIR: testDir('models-') }, 'node', {
      cwd,
    });
    expect(run.lines).toContain(
      `settings from ${join(cwd, '.env')}: LOG_FORMAT; the environment overrides LOG_LEVEL`,
    );
    expect(run.lines).toContainEqual(expect.stringMatching(PRETTY_LINE));
    expect(run.lines).toContainEqual(expect.stringMatching(/ INFO: request completed /));
  });

  it('stops the gateway, naming the line, when it is malformed', async () => {
    const cwd = workDirWith('LOG_LEVEL=info\nHTTP_PORT 3000\n');
    const started = startGatewayProcess({ MODELS_DIR: testDir('models-') }, 'node', { cwd });
    await expect(started).rejects.toThrow(
      `gateway exited before ready (2):\nInvalid configuration:\n  - ${join(cwd, '.env')} line 2: expected NAME=value, got "HTTP_PORT 3000"`,
    );
  });

  it('names an invalid setting it holds like one from the environment', async () => {
    const cwd = workDirWith('LOG_FORMAT=fancy\n');
    const started = startGatewayProcess({ MODELS_DIR: testDir('models-') }, 'node', { cwd });
    await expect(started).rejects.toThrow('LOG_FORMAT: must be json, pretty or auto');
  });
});
