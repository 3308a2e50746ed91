// The trainer and the simulator as the detection bench runs them: built like `npm run trainer`, run
// as child processes, --json answers parsed.
import { spawnSync } from 'node:child_process';
import { ensureBuilt } from '../../scripts/lib/prerequisites.mjs';
import { ROOT } from './paths.mjs';

function runBuilt(app, args, env = {}) {
  const entry = ensureBuilt('bench', ROOT, app);
  const result = spawnSync(process.execPath, [entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) {
    throw new Error(`${app} ${args[0]} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  }
  return result.stdout;
}

/** `trainer <command> ... --json`, parsed. */
export function trainerJson(args) {
  return JSON.parse(runBuilt('trainer', [...args, '--json']));
}

/** `trainer train ...`: the new version's directory (its last line of output). */
export function trainModel(args) {
  return runBuilt('trainer', ['train', ...args])
    .trim()
    .split('\n')
    .at(-1);
}

/** `simulate --csv ...`: a labelled export, no gateway needed. */
export function simulateCsv(args) {
  runBuilt('simulator', args);
}
