// The frame every scenario shares: options, N runs, medians, results JSON and the markdown table.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage } from './proc-stats.mjs';
import { writeResults } from './results.mjs';
import { fmt, medianOfRuns, met, round } from './stats.mjs';

const COMMON = {
  runs: { type: 'string', default: '3', help: 'measured runs; figures are their medians' },
  'cpu-prof': {
    type: 'boolean',
    default: false,
    help: 'run the gateway under node --cpu-prof (kept in the work dir)',
  },
  keep: { type: 'boolean', default: false, help: 'keep the temporary work dir (logs, data)' },
  note: {
    type: 'string',
    default: '',
    help: 'free text stored with the results (e.g. "busy machine")',
  },
  'no-save': { type: 'boolean', default: false, help: 'print only; write no results file' },
  help: { type: 'boolean', default: false, help: 'this list' },
};

function parse(name, description, options) {
  const all = { ...COMMON, ...options };
  const spec = Object.fromEntries(
    Object.entries(all).map(([key, { type, default: d }]) => [key, { type, default: d }]),
  );
  const { values } = parseArgs({ args: process.argv.slice(2), options: spec, strict: true });
  if (values.help) {
    const lines = Object.entries(all).map(
      ([key, o]) =>
        `  --${key.padEnd(14)} ${o.help}${o.type === 'string' && o.default !== '' ? ` (default ${o.default})` : ''}`,
    );
    process.stdout.write(`${name}: ${description}\n${lines.join('\n')}\n`);
    process.exit(0);
  }
  return values;
}

/**
 * Runs a scenario: `setup` once, `run` per measured run (returns an object of figures), then
 * `summarize(median, options)` -> { table: [{ figure, gateway, mosquitto?, target?, met? }], notes? }.
 * @param {{ name: string, description: string, options?: object, setup?: Function, run: Function,
 *   teardown?: Function, summarize: Function }} scenario
 */
export async function runScenario({
  name,
  description,
  options = {},
  setup,
  run,
  teardown,
  summarize,
}) {
  const opts = parse(name, description, options);
  const runs = Number(opts.runs);
  const workDir = mkdtempSync(join(tmpdir(), `iag-bench-${name}-`));
  const ctx = {
    workDir,
    cpuProfileDir: opts['cpu-prof'] ? join(workDir, 'cpu-profiles') : undefined,
  };
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverageAtStart: loadAverage(),
  };
  log(name, `work dir ${workDir}; load average ${machine.loadAverageAtStart}; ${runs} run(s)`);
  let state;
  let failed = false;
  try {
    state = await setup?.(opts, ctx);
    const results = [];
    for (let i = 0; i < runs; i++) {
      const result = await run(opts, ctx, state, i);
      results.push(result);
      log(name, `run ${i + 1}/${runs}: ${JSON.stringify(result, (_, v) => round(v))}`);
    }
    const median = medianOfRuns(results);
    const summary = summarize(median, opts, state);
    printTable(summary.table);
    if (!opts['no-save']) {
      const path = writeResults({
        scenario: name,
        description,
        date: new Date().toISOString(),
        machine: { ...machine, loadAverageAtEnd: loadAverage() },
        note: opts.note,
        options: opts,
        runs: results,
        median,
        ...summary,
      });
      log(name, `results written to ${path} and bench/results/latest.md`);
    }
    if (ctx.cpuProfileDir) log(name, `CPU profiles in ${ctx.cpuProfileDir}`);
  } catch (error) {
    failed = true;
    log(name, `failed: ${error.stack ?? error}`);
  } finally {
    await teardown?.(state);
    if (!opts.keep && !ctx.cpuProfileDir && !failed)
      rmSync(workDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

export function log(name, message) {
  process.stderr.write(`[bench ${name}] ${message}\n`);
}

function printTable(table) {
  for (const row of table) {
    const cells = [
      row.figure,
      fmt(row.gateway),
      fmt(row.mosquitto),
      row.target ?? '',
      met(row.met),
    ];
    process.stdout.write(`${cells.join(' | ')}\n`);
  }
}
