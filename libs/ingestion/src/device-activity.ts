import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DeviceRegistry } from '@iag/storage';

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
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.registry.recordActivity(batch);
    } catch (error) {
      this.logger.warn(`device activity not saved: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
