export type StreamCap = 'per_key' | 'global';

/** Open anomaly streams per API key and in all; a stream past either cap is refused. */
export class StreamCaps {
  private readonly perKey = new Map<string, number>();
  private total = 0;

  constructor(
    readonly maxPerKey: number,
    readonly maxTotal: number,
  ) {}

  /** Takes a slot for a stream of `keyId`; or names the cap that is full (nothing taken). */
  tryOpen(keyId: string): StreamCap | null {
    const mine = this.perKey.get(keyId) ?? 0;
    if (mine >= this.maxPerKey) return 'per_key';
    if (this.total >= this.maxTotal) return 'global';
    this.perKey.set(keyId, mine + 1);
    this.total++;
    return null;
  }

  close(keyId: string): void {
    const mine = this.perKey.get(keyId) ?? 0;
    if (mine === 0) return;
    if (mine === 1) this.perKey.delete(keyId);
    else this.perKey.set(keyId, mine - 1);
    this.total--;
  }

  openFor(keyId: string): number {
    return this.perKey.get(keyId) ?? 0;
  }
}
