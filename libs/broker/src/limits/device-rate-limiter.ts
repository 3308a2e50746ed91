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
 * Per-device token buckets (one second of burst). A QoS 1 message over the rates runs into debt
 * and is held until the device is back within them: holding it in aedes's authorizePublish pauses
 * that device's socket, so a fast device slows itself down, nobody else. A QoS 0 message over the
 * rates is dropped instead (tryTake): held QoS 0 floods cost ~6 KiB of heap per message (measured).
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

  /** Charges one message of `bytes` to the device; returns how long (ms) to hold it (QoS 1). */
  delayFor(deviceId: string, bytes: number): number {
    if (!this.enabled) return 0;
    const bucket = this.refilled(deviceId);
    bucket.messages -= 1;
    bucket.bytes -= bytes;
    return this.debtMs(bucket);
  }

  /**
   * Charges the message only if the device is within its rates now (QoS 0: what does not fit
   * is dropped, not held, so a flooding device costs no memory).
   */
  tryTake(deviceId: string, bytes: number): boolean {
    if (!this.enabled) return true;
    const bucket = this.refilled(deviceId);
    const { messagesPerSec, bytesPerSec } = this.rates;
    if ((messagesPerSec > 0 && bucket.messages < 1) || (bytesPerSec > 0 && bucket.bytes < bytes)) {
      return false;
    }
    bucket.messages -= 1;
    bucket.bytes -= bytes;
    return true;
  }

  private refilled(deviceId: string): Bucket {
    const now = this.now();
    const { messagesPerSec, bytesPerSec } = this.rates;
    let bucket = this.buckets.get(deviceId);
    if (bucket === undefined) {
      bucket = { messages: messagesPerSec, bytes: bytesPerSec, at: now };
      this.buckets.set(deviceId, bucket);
    }
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.at = now;
    bucket.messages = Math.min(messagesPerSec, bucket.messages + elapsed * messagesPerSec);
    bucket.bytes = Math.min(bytesPerSec, bucket.bytes + elapsed * bytesPerSec);
    return bucket;
  }

  private debtMs(bucket: Bucket): number {
    const { messagesPerSec, bytesPerSec } = this.rates;
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
