import { MemoryPointBuffer } from './point-buffer';
import { TelemetryPoint } from './telemetry-point';

const points = (from: number, count: number): TelemetryPoint[] =>
  Array.from({ length: count }, (_, i) => ({
    deviceId: 'd',
    ts: from + i,
    values: { v: from + i },
  }));
const tsOf = (list: TelemetryPoint[]) => list.map((p) => p.ts);

describe(MemoryPointBuffer.name, () => {
  it('peeks the oldest points across appended chunks without removing them', () => {
    const buffer = new MemoryPointBuffer();
    buffer.append(points(0, 3), 1000);
    buffer.append(points(3, 4), 2000);
    expect(buffer.size).toBe(7);
    expect(tsOf(buffer.peek(5))).toEqual([0, 1, 2, 3, 4]);
    expect(tsOf(buffer.peek(100))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(buffer.size).toBe(7);
  });

  it('acks from the front, also within a chunk, and tracks the oldest arrival time', () => {
    const buffer = new MemoryPointBuffer();
    buffer.append(points(0, 3), 1000);
    buffer.append(points(3, 4), 2000);
    expect(buffer.oldestAt).toBe(1000);
    buffer.ack(2);
    expect(tsOf(buffer.peek(3))).toEqual([2, 3, 4]);
    expect(buffer.oldestAt).toBe(1000);
    buffer.ack(1);
    expect(buffer.oldestAt).toBe(2000);
    buffer.ack(3);
    expect(tsOf(buffer.peek(10))).toEqual([6]);
    buffer.ack(5);
    expect(buffer.size).toBe(0);
    expect(buffer.oldestAt).toBeUndefined();
    expect(buffer.peek(10)).toEqual([]);
  });

  it('ignores empty appends and stays consistent over many cycles', () => {
    const buffer = new MemoryPointBuffer();
    buffer.append([], 1);
    expect(buffer.size).toBe(0);
    let next = 0;
    for (let round = 0; round < 3000; round++) {
      buffer.append(points(next, 3), round);
      next += 3;
      buffer.ack(2);
    }
    expect(buffer.size).toBe(3000);
    expect(buffer.peek(1)[0].ts).toBe(6000);
  });
});
