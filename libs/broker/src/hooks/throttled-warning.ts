import { Logger } from '@nestjs/common';

/** Logs a warning at most once per key and interval, so a misbehaving device cannot flood the log. */
export class ThrottledWarning {
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  warn(key: string, message: string, now = Date.now()): void {
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < this.intervalMs) return;
    if (this.lastLogged.size >= this.maxKeys) this.lastLogged.clear();
    this.lastLogged.set(key, now);
    this.logger.warn(message);
  }
}
