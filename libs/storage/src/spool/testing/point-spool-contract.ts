import { Reading } from '@iag/contracts';
import { PointSpool } from '../point-spool';

const readings = (from: number, count: number): Reading[] =>
  Array.from({ length: count }, (_, i) => ({ ts: 1_000 + from + i, values: { v: from + i } }));

/** What every PointSpool must do (aedes-persistence `abstract.js` style): run it against each one. */
export function pointSpoolContract(name: string, create: () => Promise<PointSpool>): void {
  describe(`${name} (PointSpool contract)`, () => {
    let spool: PointSpool;
    beforeEach(async () => (spool = await create()));
    afterEach(() => spool.close());

    const append = (deviceId: string, from: number, count: number, at = 100) =>
      spool.append(spool.encode(deviceId, readings(from, count)), at);

    it('starts empty', () => {
      expect(spool.depth()).toEqual({ readings: 0, bytes: 0, entries: 0, oldestAt: undefined });
      expect(spool.peek(10)).toBeNull();
    });

    it('counts an append before it resolves, by its encoded size', async () => {
      const entry = spool.encode('d', readings(0, 3));
      const appended = spool.append(entry, 100);
      expect(spool.depth()).toMatchObject({ readings: 3, bytes: entry.bytes, entries: 1 });
      await appended;
      expect(spool.depth()).toEqual({ readings: 3, bytes: entry.bytes, entries: 1, oldestAt: 100 });
    });

    it('peeks whole entries oldest first, up to maxReadings but at least one entry', async () => {
      await append('a', 0, 3, 100);
      await append('b', 3, 4, 200);
      await append('a', 7, 2, 300);
      const first = spool.peek(8)!;
      expect(first.points.map((p) => p.ts)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006]);
      expect(first.points[3]).toEqual({ deviceId: 'b', ts: 1003, values: { v: 3 } });
      expect(spool.peek(1)!.points).toHaveLength(3);
      expect(spool.peek(100)!.points).toHaveLength(9);
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
      expect(spool.peek(100)!.points.map((p) => p.deviceId)).toEqual(['d']);
    });

    it('keeps metric values exactly, so a replay is the same point', async () => {
      const values = { a: 0.1 + 0.2, b: -1e-300, c: 123456789.12345679, d: 21 };
      await spool.append(spool.encode('x', [{ ts: 1_763_816_400_123, values }]), 1);
      expect(spool.peek(1)!.points).toEqual([{ deviceId: 'x', ts: 1_763_816_400_123, values }]);
    });
  });
}
