import { Reading } from '@iag/contracts';

export interface QueuedReading {
  deviceId: string;
  reading: Reading;
  profile: string | null;
}

/**
 * FIFO of readings waiting to be scored, bounded: pushing past `capacity` drops the oldest and
 * reports how many. Array plus head index, compacted now and then, so take and drop are O(1).
 */
export class ScoringQueue {
  private items: QueuedReading[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Appends; returns how many of the oldest readings were dropped to stay within capacity. */
  push(deviceId: string, readings: readonly Reading[], profile: string | null = null): number {
    // A batch larger than the whole queue: its own oldest readings never get in.
    const skipped = Math.max(0, readings.length - this.capacity);
    for (let i = skipped; i < readings.length; i++)
      this.items.push({ deviceId, reading: readings[i], profile });
    const overflow = Math.max(0, this.size - this.capacity);
    this.head += overflow;
    this.compact();
    return skipped + overflow;
  }

  /** Removes and returns up to `max` of the oldest readings. */
  take(max: number): QueuedReading[] {
    const taken = this.items.slice(this.head, this.head + max);
    this.head += taken.length;
    this.compact();
    return taken;
  }

  /** Removes every reading of one device; returns how many. */
  remove(deviceId: string): number {
    const before = this.size;
    this.items = this.items.slice(this.head).filter((item) => item.deviceId !== deviceId);
    this.head = 0;
    return before - this.size;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
