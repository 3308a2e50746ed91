import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The releases whose internals the fast path reaches: aedes 1.2's Client (lib/client.js: its parser,
 * `_parsingBatch`, `_nextBatch`, keepalive timer, `waitForDrain`) and mqtt-packet 9.0's parser
 * events, which that Client feeds. Any other version may have moved them.
 */
export const WRITTEN_FOR = { aedes: '1.2', 'mqtt-packet': '9.0' } as const;

export type Library = keyof typeof WRITTEN_FOR;
export type InstalledVersions = Record<Library, string | undefined>;

/** The installed versions, read from each package's package.json (undefined if not found). */
export function installedVersions(): InstalledVersions {
  return { aedes: versionOf('aedes'), 'mqtt-packet': versionOf('mqtt-packet') };
}

/** Null when every library is a release the fast path was written for; otherwise why not. */
export function mismatchOf(installed: InstalledVersions): string | null {
  const wrong = (Object.keys(WRITTEN_FOR) as Library[]).filter((name) => {
    const version = installed[name];
    return version === undefined || !version.startsWith(`${WRITTEN_FOR[name]}.`);
  });
  if (wrong.length === 0) return null;
  const found = wrong.map((name) => `${name} ${installed[name] ?? '(not found)'}`).join(', ');
  const wanted = wrong.map((name) => `${name} ${WRITTEN_FOR[name]}.x`).join(', ');
  return `${found} installed, the telemetry fast path was written for ${wanted}`;
}

/**
 * aedes exports only its entry point (no "./package.json"), so the file is found from where the
 * entry resolves: the nearest package.json above it that names the package.
 */
function versionOf(name: string): string | undefined {
  try {
    let dir = dirname(require.resolve(name));
    for (;;) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest)) {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (parsed.name === name) return parsed.version;
      }
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  } catch {
    return undefined;
  }
}
