import { MODEL_NAME_PATTERN, MODEL_VERSION_PATTERN } from '@iag/contracts';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { METADATA_FILE } from './model-artifact';

export interface ModelDir {
  name: string;
  version: string;
  dir: string;
}

/** Numeric versions compare as numbers ("10" after "9"), anything else as text. */
export function compareVersions(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.localeCompare(b, 'en', { numeric: true });
}

/** `root/{name}/{version}/` folders holding a metadata.json, by name, then newest version first. */
export function listModelDirs(root: string): ModelDir[] {
  if (!existsSync(root)) return [];
  const found: ModelDir[] = [];
  for (const name of subdirs(root)
    .filter((n) => MODEL_NAME_PATTERN.test(n))
    .sort()) {
    const versions = subdirs(join(root, name))
      .filter(
        (v) => MODEL_VERSION_PATTERN.test(v) && existsSync(join(root, name, v, METADATA_FILE)),
      )
      .sort(compareVersions)
      .reverse();
    for (const version of versions) found.push({ name, version, dir: join(root, name, version) });
  }
  return found;
}

/** The version after the newest one of `name` ("1" for a new name). */
export function nextVersion(root: string, name: string): string {
  const numeric = listModelDirs(root)
    .filter((d) => d.name === name)
    .map((d) => Number(d.version))
    .filter((v) => Number.isInteger(v));
  return String(numeric.length === 0 ? 1 : Math.max(...numeric) + 1);
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}
