import { chmodSync, lstatSync, mkdirSync, readdirSync, Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { StorageException, StorageExceptionCode } from '../storage.exception';

/** Group and other permission bits: none of them may be set on anything in DATA_DIR. */
const SHARED_BITS = 0o077;
/** umask for this process and what it starts (influxd): new files 0600, new directories 0700. */
export const PRIVATE_UMASK = 0o077;

export interface DataDirCheck {
  /** Entries that were readable (or writable) by others and were made private. */
  fixed: string[];
  /** Entries looked at (DATA_DIR included). */
  checked: number;
}

/**
 * DATA_DIR holds token and key hashes, the spool and the telemetry: it and everything in it must
 * be this user's only (0700 directories, 0600 files). Creates it private; what earlier builds
 * left group- or world-readable is made private; what belongs to another user, or cannot be
 * fixed, stops the start with a message naming it. Symbolic links inside are not followed (a
 * link to elsewhere is the operator's choice); DATA_DIR itself may be one. From here on this
 * process creates files private (umask 077), and so does the influxd it starts.
 */
export function preparePrivateDataDir(
  dataDir: string,
  owner: number | undefined = process.getuid?.(),
): DataDirCheck {
  if (process.platform === 'win32') return { fixed: [], checked: 0 };
  process.umask(PRIVATE_UMASK);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const check: DataDirCheck = { fixed: [], checked: 0 };
  visit(dataDir, statSync(dataDir), owner, check);
  return check;
}

function visit(path: string, stats: Stats, uid: number | undefined, check: DataDirCheck): void {
  check.checked++;
  if (stats.isSymbolicLink()) return;
  if (uid !== undefined && stats.uid !== uid) {
    throw unsafe(
      `${path} belongs to uid ${stats.uid}, not to this user (uid ${uid}): DATA_DIR and ` +
        "everything in it must be the gateway user's own (chown it, or choose another DATA_DIR)",
    );
  }
  if ((stats.mode & SHARED_BITS) !== 0) makePrivate(path, stats, check);
  if (!stats.isDirectory()) return;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    visit(child, lstatSync(child), uid, check);
  }
}

function makePrivate(path: string, stats: Stats, check: DataDirCheck): void {
  const mode = stats.isDirectory() ? 0o700 : stats.mode & 0o700;
  try {
    chmodSync(path, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw unsafe(
      `${path} is readable by other users (${octal(stats.mode)}) and cannot be made private ` +
        `(${code}): run chmod -R go= on DATA_DIR, or choose another DATA_DIR`,
    );
  }
  check.fixed.push(`${path} ${octal(stats.mode)} -> ${octal(mode)}`);
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

function unsafe(message: string): StorageException {
  return new StorageException(StorageExceptionCode.DATA_DIR_UNSAFE, message);
}
