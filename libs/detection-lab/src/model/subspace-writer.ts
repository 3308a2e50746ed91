import { BasisState, METADATA_FILE, ModelMetadata, SUBSPACE_FILE } from '@iag/detection';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeVersionDir } from './version-dir';

/** Writes a subspace model: metadata.json and subspace.json (the fleet's fitted basis). */
export function writeSubspaceArtifact(
  dir: string,
  metadata: ModelMetadata,
  basis: BasisState,
): Promise<void> {
  return writeVersionDir(dir, async (staging) => {
    await writeFile(
      join(staging, SUBSPACE_FILE),
      JSON.stringify({ format: 'iag-subspace-1', basis }),
    );
    await writeFile(join(staging, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  });
}
