import { performance } from 'node:perf_hooks';

export interface DeviceRates {
  /** Messages per second per device; 0 = unlimited. */
  messagesPerSec: number;
  /** Payload bytes per second per device; 0 = unlimited. */
  bytesPerSec: number;
}

interface Bucket {
  messages: number;
  bytes: number;
  at: number;
}

/**
 * Per-device token buckets (one second of burst) that may run into debt: a message is never
 * refused, it is held until the device is back within its rates. Holding it in aedes's
 * authorizePublish pauses that device's socket, so a fast device slows itself down, nobody else.
 */
export class DeviceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rates: DeviceRates,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.rates.messagesPerSec > 0 || this.rates.bytesPerSec > 0;
  }

  /** Charges one message of `bytes` to the device; returns how long (ms) to hold it. */
  delayFor(deviceId: string, bytes: number): number {
    if (!this.enabled) return 0;
    const now = this.now();
    const { messagesPerSec, bytesPerSec } = this.rates;
    let bucket = this.buckets.get(deviceId);
    if (bucket === undefined) {
      bucket = { messages: messagesPerSec, bytes: bytesPerSec, at: now };
      this.buckets.set(deviceId, bucket);
    }
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.at = now;
    bucket.messages = Math.min(messagesPerSec, bucket.messages + elapsed * messagesPerSec) - 1;
    bucket.bytes = Math.min(bytesPerSec, bucket.bytes + elapsed * bytesPerSec) - bytes;
    const messageDebt = messagesPerSec > 0 ? -bucket.messages / messagesPerSec : 0;
    const byteDebt = bytesPerSec > 0 ? -bucket.bytes / bytesPerSec : 0;
    return Math.max(0, messageDebt, byteDebt) * 1000;
  }

  /** The device has no session left: its bucket goes (a new session starts with a full one). */
  forget(deviceId: string): void {
    this.buckets.delete(deviceId);
  }

  get trackedDevices(): number {
    return this.buckets.size;
  }
}
