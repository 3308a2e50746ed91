import { Reading } from '@iag/contracts';
import { telemetryLines } from '../../telemetry/line-protocol';
import { entryBytes, PointSpool } from '../point-spool';

const readings = (from: number, count: number): Reading[] =>
  Array.from({ length: count }, (_, i) => ({ ts: 1_000 + from + i, values: { v: from + i } }));

/** The timestamps of a batch's lines, in order. */
const timesOf = (lines: string): number[] =>
  lines
    .trimEnd()
    .split('\n')
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));

/** What every PointSpool must do (aedes-persistence `abstract.js` style): run it against each one. */
export function pointSpoolContract(name: string, create: () => Promise<PointSpool>): void {
  describe(`${name} (PointSpool contract)`, () => {
    let spool: PointSpool;
    beforeEach(async () => (spool = await create()));
    afterEach(() => spool.close());

    const append = (deviceId: string, from: number, count: number, at = 100) =>
      spool.append(telemetryLines(deviceId, readings(from, count)), count, at);

    it('starts empty', () => {
      expect(spool.depth()).toEqual({ readings: 0, bytes: 0, entries: 0, oldestAt: undefined });
      expect(spool.peek(10)).toBeNull();
    });

    it('counts an append before it resolves, by its size', async () => {
      const lines = telemetryLines('d', readings(0, 3));
      const appended = spool.append(lines, 3, 100);
      expect(spool.depth()).toMatchObject({ readings: 3, bytes: entryBytes(lines), entries: 1 });
      await appended;
      expect(spool.depth()).toEqual({
        readings: 3,
        bytes: entryBytes(lines),
        entries: 1,
        oldestAt: 100,
      });
    });

    it('peeks whole entries oldest first, up to maxReadings but at least one entry', async () => {
      await append('a', 0, 3, 100);
      await append('b', 3, 4, 200);
      await append('a', 7, 2, 300);
      const first = spool.peek(8)!;
      expect(timesOf(first.lines)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006]);
      expect(first.readings).toBe(7);
      expect(first.lines.split('\n')[3]).toBe('telemetry,device_id=b v=3 1003');
      expect(spool.peek(1)!.readings).toBe(3);
      expect(timesOf(spool.peek(100)!.lines)).toHaveLength(9);
      expect(spool.depth().readings).toBe(9);
    });

    it('forgets an acknowledged batch and goes on with the next entries', async () => {
      await append('a', 0, 3, 100);
      await append('b', 3, 4, 200);
      await append('c', 7, 2, 300);
      const bytesBefore = spool.depth().bytes;
      const batch = spool.peek(3)!;
      await spool.ack(batch);
      expect(spool.depth()).toMatchObject({ readings: 6, entries: 2, oldestAt: 200 });
      expect(spool.depth().bytes).toBeLessThan(bytesBefore);
      await spool.ack(spool.peek(100)!);
      expect(spool.depth()).toEqual({ readings: 0, bytes: 0, entries: 0, oldestAt: undefined });
      expect(spool.peek(100)).toBeNull();
      await append('d', 9, 1, 400);
      expect(spool.peek(100)!.lines).toBe('telemetry,device_id=d v=9 1009\n');
    });

    it('keeps the lines byte for byte, so a replay is the same point', async () => {
      const values = { a: 0.1 + 0.2, b: -1e-300, c: 123456789.12345679, d: 21 };
      const lines = telemetryLines('x', [{ ts: 1_763_816_400_123, values }]);
      await spool.append(lines, 1, 1);
      expect(spool.peek(1)!.lines).toBe(lines);
    });
  });
}
