import { TelemetryPoint } from './telemetry-point';

/**
 * Where the writer keeps points until InfluxDB confirms them, oldest first. Kept small so a
 * durable on-disk spool can replace the in-memory one.
 */
export interface PointBuffer {
  readonly size: number;
  /** When the oldest unconfirmed point was appended (epoch ms); undefined when empty. */
  readonly oldestAt: number | undefined;
  append(points: TelemetryPoint[], at: number): void;
  /** Up to `max` of the oldest points, without removing them. */
  peek(max: number): TelemetryPoint[];
  /** Forgets the `count` oldest points (after InfluxDB confirmed them). */
  ack(count: number): void;
}

interface Chunk {
  points: TelemetryPoint[];
  at: number;
}

/** Chunks as appended, with a read offset into the first: no per-point copying on ack. */
export class MemoryPointBuffer implements PointBuffer {
  private chunks: Chunk[] = [];
  private first = 0;
  private offset = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get oldestAt(): number | undefined {
    return this.count > 0 ? this.chunks[this.first].at : undefined;
  }

  append(points: TelemetryPoint[], at: number): void {
    if (points.length === 0) return;
    this.chunks.push({ points, at });
    this.count += points.length;
  }

  peek(max: number): TelemetryPoint[] {
    const out: TelemetryPoint[] = [];
    let offset = this.offset;
    for (let i = this.first; i < this.chunks.length && out.length < max; i++) {
      const { points } = this.chunks[i];
      const take = Math.min(points.length - offset, max - out.length);
      for (let j = 0; j < take; j++) out.push(points[offset + j]);
      offset = 0;
    }
    return out;
  }

  ack(count: number): void {
    let left = Math.min(count, this.count);
    this.count -= left;
    while (left > 0) {
      const available = this.chunks[this.first].points.length - this.offset;
      if (left < available) {
        this.offset += left;
        break;
      }
      left -= available;
      this.first++;
      this.offset = 0;
    }
    if (this.first > 1024 || this.first === this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}
