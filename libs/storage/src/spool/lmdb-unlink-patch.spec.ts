import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { open, RootDatabase } from 'lmdb';

/**
 * patches/lmdb+*.patch (applied by `postinstall: patch-package`) unlinks each committed write's
 * resolution from lmdb's list. Without it, one resolution that reaches V8's old generation keeps
 * every later one alive through scavenges until a mark-compact: the spool's writes were then
 * ~half of what the gateway promoted (issue 7).
 */
describe('the lmdb unlink patch', () => {
  const cjsEntry = require.resolve('lmdb');
  const packageDir = join(dirname(cjsEntry), '..');

  it.each([
    ['the CommonJS build the gateway loads', cjsEntry],
    ['the ES module source', join(packageDir, 'write.js')],
  ])('is applied to %s (fails on an unpatched node_modules)', (_what, file) => {
    const source = readFileSync(file, 'utf8');
    expect(source).toContain('resolved.next = resolved.nextTxn = null;');
  });

  describe('with it, every kind of write the gateway uses still resolves right', () => {
    let dir: string;
    let db: RootDatabase<number, string>;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'iag-lmdb-patch-'));
      db = open<number, string>({ path: dir, overlappingSync: false });
    });
    afterEach(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('puts, unawaited removes, conditional puts and transactions over many commits', async () => {
      const expected = new Map<string, number>();
      const outcomes: Array<Promise<boolean>> = [];
      const wanted: boolean[] = [];
      for (let turn = 0; turn < 40; turn++) {
        for (let i = 0; i < 25; i++) {
          const key = `k${turn}-${i}`;
          outcomes.push(db.put(key, i));
          wanted.push(true);
          expected.set(key, i);
        }
        if (turn > 0) {
          // The spool's ack: removes whose promises nobody reads, but the last.
          for (let i = 0; i < 10; i++) void db.remove(`k${turn - 1}-${i}`);
          for (let i = 0; i < 10; i++) expected.delete(`k${turn - 1}-${i}`);
          // The registry's create: taken keys refuse, new ones land.
          const taken = `k${turn - 1}-20`;
          outcomes.push(db.ifNoExists(taken, () => db.put(taken, -1)));
          wanted.push(false);
          const fresh = `new${turn}`;
          outcomes.push(db.ifNoExists(fresh, () => db.put(fresh, turn)));
          wanted.push(true);
          expected.set(fresh, turn);
          // The registry's rotate/remove: a transaction of its own.
          const moved = `k${turn - 1}-24`;
          outcomes.push(
            db.transaction(() => {
              db.putSync(moved, 1000 + turn);
              return true;
            }),
          );
          wanted.push(true);
          expected.set(moved, 1000 + turn);
        }
        await nextTurn(); // the next turn's writes go to another transaction
      }
      expect(await Promise.all(outcomes)).toEqual(wanted);
      expect(new Map(db.getRange().map(({ key, value }) => [key, value]))).toEqual(expected);
    });
  });
});
