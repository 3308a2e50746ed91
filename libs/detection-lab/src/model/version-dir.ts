import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes a model version directory so that it appears whole or not at all: `write` fills a
 * staging directory beside it, which is then renamed into place (and removed if anything fails).
 */
export async function writeVersionDir(
  dir: string,
  write: (staging: string) => Promise<void>,
): Promise<void> {
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await write(staging);
    await mkdir(join(dir, '..'), { recursive: true });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
