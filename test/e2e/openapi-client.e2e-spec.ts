import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OPENAPI_FILE } from '../support/openapi-file';
import { startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../support/test-gateway';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'openapi-client', 'operator-client.mts');
// Inside the repository, so the generated client resolves openapi-fetch from its node_modules.
const CACHE = join(ROOT, 'node_modules', '.cache');

/** Runs a script with this Node, failing with its output when it exits non-zero. */
async function node(script: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [script, ...args], {
      cwd: ROOT,
      timeout: 60_000,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${script} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('A client generated from openapi.json', () => {
  let gateway: TestGateway;
  let dir: string;

  beforeAll(async () => {
    mkdirSync(CACHE, { recursive: true });
    dir = mkdtempSync(join(CACHE, 'iag-openapi-client-'));
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('generates types (openapi-typescript) with a named schema per shape', async () => {
    await node(join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), [
      OPENAPI_FILE,
      '--output',
      join(dir, 'api.d.ts'),
    ]);
    const types = readFileSync(join(dir, 'api.d.ts'), 'utf8');
    for (const name of ['Anomaly', 'AnomalyPage', 'Device', 'DevicePage', 'Error']) {
      expect(types).toMatch(new RegExp(`^ {8}${name}: \\{`, 'm'));
    }
    expect(types).toMatch(/^ {4}listDevices: \{/m);
  }, 60_000);

  it('type-checks a program using it (tsc, strict; the wrong calls in it must fail)', async () => {
    copyFileSync(FIXTURE, join(dir, 'operator-client.mts'));
    const tsconfig = {
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        types: ['node'],
        skipLibCheck: true,
        outDir: '.',
      },
      files: ['operator-client.mts'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    await node(join(ROOT, 'node_modules/typescript/bin/tsc'), ['-p', dir]);
  }, 60_000);

  it('provisions, pages, lists and gets typed errors from the live gateway', async () => {
    const base = `http://127.0.0.1:${gateway.httpPort}`;
    const out = await node(join(dir, 'operator-client.mjs'), [base, TEST_ADMIN_KEY]);
    const seen = JSON.parse(out);
    expect(seen.tokens).toBe(3);
    // two per page, by id (this gateway has no other devices)
    expect(seen.pages).toEqual([['client-1', 'client-2'], ['client-3']]);
    expect(seen.openAnomalies).toBe(0);
    expect(seen.nextCursor).toBeNull();
    expect(seen.ack).toEqual({
      status: 404,
      error: {
        statusCode: 404,
        error: 'Not Found',
        message: expect.stringMatching(/^anomaly .* not found$/),
      },
    });
    expect(seen.badCursor).toEqual({
      status: 400,
      message: 'cursor: is not a cursor returned by this API',
    });
  }, 60_000);
});
