import { METADATA_FILE, readModelMetadata } from '@iag/detection';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Stores an evaluation in a version's metadata.json (the trainer's evaluate --save-to-model). */
export async function writeEvaluation(
  dir: string,
  evaluation: Record<string, unknown>,
): Promise<void> {
  const metadata = await readModelMetadata(dir);
  await writeFile(
    join(dir, METADATA_FILE),
    `${JSON.stringify({ ...metadata, evaluation }, null, 2)}\n`,
  );
}
