import { Duplex } from 'node:stream';

/** One end of an in-memory connection: what is written here is read at the other end. */
class PairEnd extends Duplex {
  peer!: PairEnd;
  private ended = false;

  override _read(): void {}

  // Delivered on a later turn of the event loop, as a socket's data is (never within the writer's
  // own tick): code that defers work with setImmediate sees the order it sees on TCP.
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    setImmediate(() => this.peer.deliver(chunk));
    callback();
  }

  override _final(callback: () => void): void {
    setImmediate(() => this.peer.deliver(null));
    callback();
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.peer.deliver(null);
    if (!this.peer.destroyed) this.peer.destroy();
    callback(error);
  }

  private deliver(chunk: Buffer | null): void {
    if (this.ended || this.destroyed) return;
    if (chunk === null) this.ended = true;
    this.push(chunk);
  }
}

/**
 * Two connected in-memory streams, as a socket's two sides (aedes's own tests use such a pair):
 * a broker takes one end, an MQTT client the other, with no TCP in between. `firstWritableHighWaterMark`
 * 1 makes every write to the first end report a full buffer, as a slow reader's socket does.
 */
export function duplexPair(firstWritableHighWaterMark?: number): [Duplex, Duplex] {
  const a = new PairEnd({ writableHighWaterMark: firstWritableHighWaterMark });
  const b = new PairEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
