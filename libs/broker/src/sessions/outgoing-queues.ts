/** What the queues need of an aedes packet (aedes-packet's Packet). */
export interface QueuedPacket {
  brokerId?: string;
  brokerCounter?: number;
  messageId?: number;
}

/**
 * The QoS 1 messages each session has not acknowledged yet: queued while it is away, and in
 * flight while it is connected (MQTT 3.1.1 section 3.1.2.4: session state the server keeps).
 * The same bookkeeping as aedes-persistence's in-memory store (outgoing* in asyncPersistence.js),
 * with one difference: a session holds at most `maxPerSession` messages, and past that the
 * oldest is dropped. The standard leaves the limit to the server (section 4.1, "storing state").
 */
export class OutgoingQueues<P extends QueuedPacket> {
  private readonly queues = new Map<string, P[]>();
  private held = 0;

  constructor(
    private readonly maxPerSession: number,
    /** Told each time a session loses its oldest message to the bound. */
    private readonly onDropped: (clientId: string) => void,
  ) {}

  /** Appends a message for the session, dropping its oldest ones past the bound. */
  enqueue(clientId: string, packet: P): void {
    let queue = this.queues.get(clientId);
    if (!queue) this.queues.set(clientId, (queue = []));
    queue.push(packet);
    this.held++;
    if (queue.length <= this.maxPerSession) return;
    queue.shift();
    this.held--;
    this.onDropped(clientId);
  }

  /**
   * Records the packet id a message is sent with. Unlike aedes-persistence this does not throw
   * for a message it no longer holds: that one was dropped by the bound while it waited, and
   * aedes would close the session over the error. It is still sent, once, untracked.
   */
  update(clientId: string, packet: P): void {
    const queue = this.queues.get(clientId);
    if (!queue) return;
    for (let i = 0; i < queue.length; i++) {
      const held = queue[i];
      if (held.brokerId === packet.brokerId) {
        if (held.brokerCounter === packet.brokerCounter) {
          held.messageId = packet.messageId;
          return;
        }
        // Packet ids wrap at 65535: the same id with another counter is another message.
      } else if (held.messageId === packet.messageId) {
        queue[i] = packet;
        return;
      }
    }
  }

  /** Removes the message sent with this packet id (PUBACK) and returns it. */
  clear(clientId: string, messageId: number | undefined): P | undefined {
    const queue = this.queues.get(clientId);
    if (!queue) return undefined;
    const index = queue.findIndex((held) => held.messageId === messageId);
    if (index < 0) return undefined;
    const [removed] = queue.splice(index, 1);
    this.held--;
    if (queue.length === 0) this.queues.delete(clientId);
    return removed;
  }

  /** A copy of the session's messages, oldest first (what is resent when it comes back). */
  snapshot(clientId: string): P[] {
    return [...(this.queues.get(clientId) ?? [])];
  }

  /** Ends the session's queue (the session expired, was evicted or revoked). */
  delete(clientId: string): void {
    this.held -= this.queues.get(clientId)?.length ?? 0;
    this.queues.delete(clientId);
  }

  sizeOf(clientId: string): number {
    return this.queues.get(clientId)?.length ?? 0;
  }

  /** Messages held for every session together. */
  get total(): number {
    return this.held;
  }
}
