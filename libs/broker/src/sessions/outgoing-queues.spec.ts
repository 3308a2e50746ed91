import { OutgoingQueues, QueuedPacket } from './outgoing-queues';

type Packet = QueuedPacket & { payload: number };

const packet = (n: number, messageId?: number): Packet => ({
  brokerId: 'b',
  brokerCounter: n,
  messageId,
  payload: n,
});

describe(OutgoingQueues.name, () => {
  let dropped: string[];
  let queues: OutgoingQueues<Packet>;
  const payloads = (clientId: string) => queues.snapshot(clientId).map((p) => p.payload);

  beforeEach(() => {
    dropped = [];
    queues = new OutgoingQueues<Packet>(3, (clientId) => dropped.push(clientId));
  });

  it('keeps at most the bound per session, dropping the oldest and saying so', () => {
    for (let n = 1; n <= 5; n++) queues.enqueue('a', packet(n));
    queues.enqueue('b', packet(9));
    expect(payloads('a')).toEqual([3, 4, 5]);
    expect(payloads('b')).toEqual([9]);
    expect(dropped).toEqual(['a', 'a']);
    expect(queues.total).toBe(4);
  });

  it('tracks the packet id a message is sent with and clears it on PUBACK', () => {
    queues.enqueue('a', packet(1));
    queues.enqueue('a', packet(2));
    queues.update('a', packet(2, 77));
    expect(queues.clear('a', 77)?.payload).toBe(2);
    expect(queues.clear('a', 77)).toBeUndefined();
    expect(payloads('a')).toEqual([1]);
    expect(queues.total).toBe(1);
  });

  it('replaces a message from another broker that carries the same packet id', () => {
    queues.enqueue('a', { ...packet(1, 5), brokerId: 'other' });
    queues.update('a', packet(2, 5));
    expect(payloads('a')).toEqual([2]);
  });

  it('does not fail for a message the bound already dropped', () => {
    for (let n = 1; n <= 4; n++) queues.enqueue('a', packet(n));
    expect(() => queues.update('a', packet(1, 10))).not.toThrow();
    expect(() => queues.update('nobody', packet(1, 10))).not.toThrow();
    expect(queues.clear('a', 10)).toBeUndefined();
    expect(payloads('a')).toEqual([2, 3, 4]);
  });

  it('gives copies, and forgets a whole session', () => {
    queues.enqueue('a', packet(1));
    queues.snapshot('a').pop();
    expect(queues.sizeOf('a')).toBe(1);
    queues.delete('a');
    expect(queues.sizeOf('a')).toBe(0);
    expect(queues.total).toBe(0);
    expect(payloads('a')).toEqual([]);
  });
});
