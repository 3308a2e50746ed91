import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageException, StorageExceptionCode } from '../storage.exception';
import { preparePrivateDataDir, PRIVATE_UMASK } from './private-data-dir';

const mode = (path: string) => statSync(path).mode & 0o777;

describe(preparePrivateDataDir.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'iag-datadir-'));
  const umask = process.umask();
  afterAll(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('creates DATA_DIR 0700 and makes what this process creates from then on private', () => {
    const dataDir = join(root, 'fresh', 'data');
    expect(preparePrivateDataDir(dataDir)).toEqual({ fixed: [], checked: 1 });
    expect(mode(dataDir)).toBe(0o700);
    expect(process.umask()).toBe(PRIVATE_UMASK);
    writeFileSync(join(dataDir, 'new'), 'x');
    expect(mode(join(dataDir, 'new'))).toBe(0o600);
  });

  it('makes what an earlier build left readable by others private, and says what', () => {
    const dataDir = join(root, 'old');
    mkdirSync(join(dataDir, 'registry'), { recursive: true });
    writeFileSync(join(dataDir, 'registry', 'data.mdb'), 'x');
    writeFileSync(join(dataDir, 'tool.sh'), 'x');
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'registry'), 0o775);
    chmodSync(join(dataDir, 'registry', 'data.mdb'), 0o644);
    chmodSync(join(dataDir, 'tool.sh'), 0o755);
    const check = preparePrivateDataDir(dataDir);
    expect(check.checked).toBe(4);
    expect(check.fixed).toEqual([
      `${dataDir} 0755 -> 0700`,
      `${join(dataDir, 'registry')} 0775 -> 0700`,
      `${join(dataDir, 'registry', 'data.mdb')} 0644 -> 0600`,
      `${join(dataDir, 'tool.sh')} 0755 -> 0700`,
    ]);
    expect(preparePrivateDataDir(dataDir).fixed).toEqual([]); // fixed for good
  });

  it('does not follow a symbolic link inside DATA_DIR', () => {
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    chmodSync(elsewhere, 0o755);
    const dataDir = join(root, 'linked');
    mkdirSync(dataDir, { mode: 0o700 });
    symlinkSync(elsewhere, join(dataDir, 'big'));
    expect(preparePrivateDataDir(dataDir).fixed).toEqual([]);
    expect(mode(elsewhere)).toBe(0o755);
  });

  it("refuses a DATA_DIR holding another user's files, naming the path", () => {
    const dataDir = join(root, 'foreign');
    mkdirSync(dataDir, { mode: 0o700 });
    const someoneElse = (process.getuid?.() ?? 0) + 1;
    let error: unknown;
    try {
      preparePrivateDataDir(dataDir, someoneElse);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StorageException);
    expect((error as StorageException).code).toBe(StorageExceptionCode.DATA_DIR_UNSAFE);
    expect((error as Error).message).toContain(`${dataDir} belongs to uid`);
  });
});
