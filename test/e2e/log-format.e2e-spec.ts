import { PLAIN_LINE, PRETTY_LINE, RunLog, runAndCollect } from '../support/process-logs';

/** The logger's lines: every line but the few the gateway prints itself. */
const logLines = (run: RunLog) => run.lines.filter((line) => !PLAIN_LINE.test(line));

function expectNoSecrets(run: RunLog): void {
  const all = run.lines.join('\n');
  for (const secret of run.secrets) expect(all).not.toContain(secret);
}

function expectPretty(run: RunLog): void {
  const lines = logLines(run);
  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) expect(line).toMatch(PRETTY_LINE);
  // the Nest context in brackets, the message after it; requests on one line each
  expect(lines).toContainEqual(
    expect.stringMatching(/ INFO: \[NestApplication\] Nest application successfully started$/),
  );
  expect(lines).toContainEqual(expect.stringMatching(/ INFO: request completed \{.*"path":/));
  expectNoSecrets(run);
}

describe('Log format (LOG_FORMAT)', () => {
  it('pretty: one readable line per event, secrets still kept out', async () => {
    expectPretty(await runAndCollect({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' }));
  });

  it('json: one JSON object per line', async () => {
    const run = await runAndCollect({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    const lines = logLines(run);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(JSON.parse(line)).toEqual(
        expect.objectContaining({ level: expect.any(Number), time: expect.any(Number) }),
      );
    }
    expect(lines.map((line) => JSON.parse(line).msg)).toContain('request completed');
    expectNoSecrets(run);
  });

  it('unset, through a pipe (journald, a file, a bench): JSON, as before', async () => {
    const lines = logLines(await runAndCollect({ LOG_LEVEL: 'info' }));
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('unset, `npm start` in a terminal: pretty', async () => {
    // bootstrap is what `npm start` runs; under `script` its stdout, and so the gateway's, is a tty
    expectPretty(await runAndCollect({ LOG_LEVEL: 'info' }, 'bootstrap', { terminal: true }));
  });
});
