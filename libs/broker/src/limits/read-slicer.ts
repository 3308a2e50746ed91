import type { Readable } from 'node:stream';

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
    socket.read = (size?: number) =>
      read(size ?? (socket.readableLength > sliceBytes ? sliceBytes : undefined));
    handle(socket, ...rest);
  };
}
