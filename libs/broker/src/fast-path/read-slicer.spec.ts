import { PassThrough } from 'node:stream';
import { pollUntil } from '../../../../test/support/poll-until';
import { withSlicedReads } from './read-slicer';

describe(withSlicedReads.name, () => {
  it('hands out at most one slice per read(), and the remainder whole', () => {
    let socket!: PassThrough;
    withSlicedReads((s: PassThrough) => (socket = s), 4)(new PassThrough());
    socket.write(Buffer.from('abcdefghij'));
    const reads: string[] = [];
    for (let chunk = socket.read(); chunk !== null; chunk = socket.read()) {
      reads.push(chunk.toString());
    }
    expect(reads).toEqual(['abcd', 'efgh', 'ij']);
    socket.write(Buffer.from('xyz'));
    expect(socket.read(2).toString()).toBe('xy');
  });

  it("nudges the reader with 'readable' while a cut slice left data behind", async () => {
    let socket!: PassThrough;
    withSlicedReads((s: PassThrough) => (socket = s), 4)(new PassThrough());
    socket.write(Buffer.from('abcdefghij'));
    const seen: string[] = [];
    // like aedes: read once per 'readable', nothing else
    socket.on('readable', () => {
      const chunk = socket.read();
      if (chunk) seen.push(chunk.toString());
    });
    // Each nudge comes on a later turn of the event loop: poll (a busy machine takes longer).
    const all = await pollUntil(
      () => seen.join(''),
      (text) => text.length >= 10,
      { intervalMs: 5 },
    );
    expect(all).toBe('abcdefghij');
  });

  it('does not nudge while packets of the slice are in flight (aedes reads on their completion)', async () => {
    let socket!: PassThrough & { client?: { _parsingBatch: number } };
    withSlicedReads((s: typeof socket) => (socket = s), 4)(new PassThrough());
    socket.client = { _parsingBatch: 1 };
    socket.write(Buffer.from('abcdefghij'));
    let nudges = 0;
    socket.on('readable', () => nudges++);
    await new Promise((resolve) => setTimeout(resolve, 20));
    nudges = 0;
    expect(socket.read().toString()).toBe('abcd');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(nudges).toBe(0);
  });
});
