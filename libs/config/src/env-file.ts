import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigException } from './config.exception';

/** What loadEnvFile did: the file read (undefined when there was none) and the names it set or left. */
export interface EnvFileResult {
  path: string | undefined;
  /** Names the file set in the environment, sorted. */
  applied: string[];
  /** Names the file also gives but the environment already had: the environment wins. */
  overridden: string[];
}

// One variable per line, optionally `export`ed; blank lines and # comments are fine.
const SHAPE = /^(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/;

/**
 * Node's parser (util.parseEnv) skips or misreads a line it cannot parse (Node 20 glues a line
 * without `=` onto the next variable's name), so a typo would be silently lost: refuse the file
 * instead, naming each bad line. Multi-line quoted values are refused for the same reason.
 */
function shapeProblems(path: string, text: string): string[] {
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || SHAPE.test(line)) return;
    const shown = line.length > 40 ? `${line.slice(0, 40)}...` : line;
    problems.push(`${path} line ${index + 1}: expected NAME=value, got "${shown}"`);
  });
  return problems;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigException([`${path}: cannot be read (${(error as Error).message})`]);
  }
}

/**
 * Reads `.env` of the working directory into the environment, before the config is parsed.
 * A variable already in the environment (even empty) wins over the file, as with Node's
 * process.loadEnvFile, whose parser this uses. No file, nothing done.
 */
export function loadEnvFile(
  path = resolve('.env'),
  env: NodeJS.ProcessEnv = process.env,
): EnvFileResult {
  const text = readIfPresent(path);
  if (text === undefined) return { path: undefined, applied: [], overridden: [] };
  const problems = shapeProblems(path, text);
  if (problems.length > 0) throw new ConfigException(problems);
  const result: EnvFileResult = { path, applied: [], overridden: [] };
  for (const [name, value] of Object.entries(parseEnv(text)).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (value === undefined) continue;
    if (name in env) {
      result.overridden.push(name);
    } else {
      env[name] = value;
      result.applied.push(name);
    }
  }
  return result;
}
