import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { telemetryLines } from '../telemetry/line-protocol';
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

const line = (i: number, device = 'd') =>
  telemetryLines(device, [{ ts: 1_000 + i, values: { v: i } }]);
const timesOf = (lines: string) =>
  lines
    .trimEnd()
    .split('\n')
    .map((l) => Number(l.split(' ')[2]));

pointSpoolContract(LmdbPointSpool.name, () => openSpool());

describe(LmdbPointSpool.name, () => {
  it('commits the appends of one event-loop turn in one transaction (one fdatasync)', async () => {
    const spool = await openSpool();
    const before = spool.transactions();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => spool.append(line(i, `d${i}`), 1, 1)));
    const transactions = spool.transactions() - before;
    expect(transactions).toBeGreaterThanOrEqual(1);
    expect(transactions).toBeLessThanOrEqual(2);
    expect(spool.depth().readings).toBe(1000);
    await spool.close();
  });

  it('keeps what was not acknowledged across a reopen, counts and order included', async () => {
    const dir = tempDir();
    const spool = await openSpool(dir);
    for (let i = 0; i < 5; i++) await spool.append(line(i), 1, 100 + i);
    await spool.ack(spool.peek(2)!);
    await spool.close();

    const reopened = await openSpool(dir);
    expect(reopened.depth()).toMatchObject({ readings: 3, entries: 3, oldestAt: 102 });
    expect(timesOf(reopened.peek(10)!.lines)).toEqual([1002, 1003, 1004]);
    await reopened.append(line(5), 1, 200);
    await reopened.ack(reopened.peek(3)!);
    expect(timesOf(reopened.peek(10)!.lines)).toEqual([1005]);
    await reopened.close();
  });

  it('replays an entry an older gateway left as JSON as the same lines', async () => {
    const dir = tempDir();
    const old = open<Buffer, number[]>({ path: dir, encoding: 'binary' });
    const json = { d: 'dev-1', r: [[1_763_816_400_123, { temp: 21, hum: 40.5 }]] };
    await old.put([0, 100, 1, 99], Buffer.from(JSON.stringify(json)));
    await old.close();
    const spool = await openSpool(dir);
    expect(spool.peek(10)!.lines).toBe(
      'telemetry,device_id=dev-1 temp=21,hum=40.5 1763816400123\n',
    );
    await spool.close();
  });

  it('refuses to work before open()', async () => {
    const spool = new LmdbPointSpool();
    expect(() => spool.peek(1)).toThrow('not open');
    expect(spool.depth().readings).toBe(0);
  });
});
