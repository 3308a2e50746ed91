/** Counts open MQTT connections per client address and refuses one past the cap (0 = no cap). */
export class PerIpConnectionCap {
  private readonly open = new Map<string, number>();

  constructor(private readonly cap: number) {}

  /** Takes a slot for `address`; false when the address already holds `cap` connections. */
  tryAcquire(address: string): boolean {
    const current = this.open.get(address) ?? 0;
    if (this.cap > 0 && current >= this.cap) return false;
    this.open.set(address, current + 1);
    return true;
  }

  release(address: string): void {
    const current = this.open.get(address) ?? 0;
    if (current <= 1) this.open.delete(address);
    else this.open.set(address, current - 1);
  }

  connectionsFrom(address: string): number {
    return this.open.get(address) ?? 0;
  }
}
