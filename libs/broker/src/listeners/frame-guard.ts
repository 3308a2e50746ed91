/**
 * Follows the MQTT fixed headers in a byte stream without buffering it (MQTT 3.1.1 section 2.2) and says
 * when a packet announces more bytes than allowed, or a Remaining Length is malformed. aedes's parser
 * (mqtt-packet) would otherwise buffer up to 256 MiB for a single announced packet.
 */
export interface FrameProblem {
  reason: 'packet_too_large' | 'malformed_length';
  detail: string;
}

export class FrameGuard {
  /** Bytes of the current packet's body still to skip. */
  private remaining = 0;
  /** Position inside a fixed header: 0 = expecting the type byte, 1..4 = reading Remaining Length. */
  private headerByte = 0;
  private length = 0;
  private multiplier = 1;

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds the next chunk; returns why the connection must close, or null. */
  push(chunk: Uint8Array): FrameProblem | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      const problem = this.headerStep(chunk[i++]);
      if (problem) return problem;
    }
    return null;
  }

  private headerStep(byte: number): FrameProblem | null {
    if (this.headerByte === 0) {
      this.headerByte = 1;
      this.length = 0;
      this.multiplier = 1;
      return null;
    }
    this.length += (byte & 0x7f) * this.multiplier;
    this.multiplier *= 128;
    if (byte & 0x80) {
      // MQTT 3.1.1 section 2.2.3: at most four bytes of Remaining Length.
      if (++this.headerByte > 4) {
        return { reason: 'malformed_length', detail: 'Remaining Length longer than four bytes' };
      }
      return null;
    }
    if (this.length > this.maxPacketBytes) {
      return {
        reason: 'packet_too_large',
        detail: `packet of ${this.length} bytes announced; the limit is ${this.maxPacketBytes}`,
      };
    }
    this.headerByte = 0;
    this.remaining = this.length;
    return null;
  }
}
