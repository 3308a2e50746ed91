import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BuildInfo {
  version: string;
  revision: string;
  node: string;
}

/** The checkout this code runs from: the nearest folder up with a package.json (source or dist). */
function projectRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** `git rev-parse` handles worktrees and packed refs; an install without git or .git is 'unknown'. */
function gitRevision(root: string): string {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    });
    return /^[0-9a-f]{40,64}$/.test(out.trim()) ? out.trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

function packageVersion(root: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Read once at start (one `git` spawn), never per scrape. */
export function readBuildInfo(from: string = __dirname): BuildInfo {
  const root = projectRoot(from);
  return {
    version: root ? packageVersion(root) : 'unknown',
    revision: root ? gitRevision(root) : 'unknown',
    node: process.version,
  };
}
