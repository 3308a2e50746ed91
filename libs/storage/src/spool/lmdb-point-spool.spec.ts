import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbPointSpool } from './lmdb-point-spool';
import { pointSpoolContract } from './testing/point-spool-contract';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'iag-spool-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function openSpool(dir = tempDir()): Promise<LmdbPointSpool> {
  const spool = new LmdbPointSpool();
  spool.open(dir);
  return spool;
}

const reading = (i: number) => [{ ts: 1_000 + i, values: { v: i } }];

pointSpoolContract(LmdbPointSpool.name, () => openSpool());

describe(LmdbPointSpool.name, () => {
  it('commits the appends of one event-loop turn in one transaction (one fdatasync)', async () => {
    const spool = await openSpool();
    const before = spool.transactions();
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => spool.append(spool.encode(`d${i}`, reading(i)), 1)),
    );
    const transactions = spool.transactions() - before;
    expect(transactions).toBeGreaterThanOrEqual(1);
    expect(transactions).toBeLessThanOrEqual(2);
    expect(spool.depth().readings).toBe(1000);
    await spool.close();
  });

  it('keeps what was not acknowledged across a reopen, counts and order included', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir);
    for (let i = 0; i < 5; i++) await spool.append(spool.encode('d', reading(i)), 100 + i);
    await spool.ack(spool.peek(2)!);
    await spool.close();

    const reopened = await openSpool(dir);
    expect(reopened.depth()).toMatchObject({ readings: 3, entries: 3, oldestAt: 102 });
    expect(reopened.peek(10)!.points.map((p) => p.ts)).toEqual([1002, 1003, 1004]);
    await reopened.append(reopened.encode('d', reading(5)), 200);
    await reopened.ack(reopened.peek(3)!);
    expect(reopened.peek(10)!.points.map((p) => p.ts)).toEqual([1005]);
    await reopened.close();
  });

  it('refuses to work before open()', async () => {
    const spool = new LmdbPointSpool();
    expect(() => spool.peek(1)).toThrow('not open');
    expect(spool.depth().readings).toBe(0);
  });
});
