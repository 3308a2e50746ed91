import { PassThrough } from 'node:stream';
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
});
