import type { Readable } from 'node:stream';

/** aedes 1.2 (lib/client.js) counts the packets of the batch in flight on the client it puts on conn.client. */
interface AedesClientState {
  _parsingBatch?: number;
}

/** Bytes aedes parses from one connection at a time: ~100 small PUBLISHes, not ~2000. */
export const READ_SLICE_BYTES = 4096;

/**
 * aedes parses everything a socket has buffered (up to ~80 KiB) in one go and handles all those
 * packets at once; it reads again only when the last of them is done. 1000 flooding publishers
 * thus put ~2 million packets in flight and the process runs out of memory. Handing aedes at most
 * READ_SLICE_BYTES per read bounds the packets in flight per connection; the rest waits in the
 * socket (and, once that is full, in the sender's TCP window).
 */
export function withSlicedReads<S extends Readable, A extends unknown[]>(
  handle: (socket: S, ...rest: A) => void,
  sliceBytes = READ_SLICE_BYTES,
): (socket: S, ...rest: A) => void {
  return (socket, ...rest) => {
    const read = socket.read.bind(socket);
    socket.read = (size?: number) => {
      if (size !== undefined || socket.readableLength <= sliceBytes) return read(size);
      // aedes reads again when the packets of this slice are done, or on 'readable'. A slice
      // that holds no whole packet (one larger than a slice) leaves none in flight: nudge it then,
      // and only then, so the connection's packets still go through one batch at a time.
      setImmediate(() => {
        const batch = (socket as { client?: AedesClientState }).client?._parsingBatch ?? 0;
        if (batch <= 0 && socket.readableLength > 0) socket.emit('readable');
      });
      return read(sliceBytes);
    };
    handle(socket, ...rest);
  };
}
