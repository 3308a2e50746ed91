import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DeviceRegistry } from '@iag/storage';

/**
 * Devices folded into the registry per transaction. The registry re-encodes each whole record,
 * so 1000 devices in one transaction held the event loop ~25 ms each second (the paced bench's
 * worst stall, issue 7); chunks let the PUBACKs waiting behind it through in between.
 */
const DEVICES_PER_TRANSACTION = 100;

interface Activity {
  accepted: number;
  rejected: number;
  lastSeen: number;
}

/** Per-device counters and last-seen time, kept in memory and folded into the registry about once a second. */
@Injectable()
export class DeviceActivity implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceActivity.name);
  private pending = new Map<string, Activity>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly registry: DeviceRegistry) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), 1000);
    this.timer.unref();
  }

  record(deviceId: string, accepted: number, rejected: number, at: number): void {
    const activity = this.pending.get(deviceId);
    if (activity) {
      activity.accepted += accepted;
      activity.rejected += rejected;
      activity.lastSeen = Math.max(activity.lastSeen, at);
    } else {
      this.pending.set(deviceId, { accepted, rejected, lastSeen: at });
    }
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const entries = [...this.pending];
    this.pending = new Map();
    for (let from = 0; from < entries.length; from += DEVICES_PER_TRANSACTION) {
      const chunk = new Map(entries.slice(from, from + DEVICES_PER_TRANSACTION));
      try {
        await this.registry.recordActivity(chunk);
      } catch (error) {
        this.logger.warn(`device activity not saved: ${(error as Error).message}`);
        return;
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
