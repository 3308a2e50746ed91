import { Readable } from 'node:stream';
import { OutgoingQueues, QueuedPacket } from './outgoing-queues';

/** The aedes-persistence major whose in-memory store (asyncPersistence.js) this extends. */
const WRITTEN_FOR_MAJOR = 11;

type Id = { id: string };
type Sub = { clientId: string };
type Packet = QueuedPacket & { topic: string; payload: Buffer };

/** The part of aedes-persistence's in-memory store (the one aedes uses by default) used here. */
interface MemoryPersistence {
  setup(broker: unknown): Promise<void>;
  cleanSubscriptions(client: Id): Promise<void>;
  subscriptionsByClient(client: Id): Promise<unknown[]>;
  cleanIncoming(client: Id): Promise<void>;
  delWill(client: Id): Promise<unknown>;
  outgoingEnqueue(sub: Sub, packet: Packet): Promise<void>;
  outgoingEnqueueCombi(subs: Sub[], packet: Packet): Promise<void>;
  outgoingUpdate(client: Id, packet: Packet): Promise<void>;
  outgoingClearMessageId(client: Id, packet: Packet): Promise<Packet | undefined>;
  outgoingStream(client: Id): Readable;
}
type MemoryPersistenceModule = (new () => MemoryPersistence) & {
  Packet: new (original: Packet) => Packet;
};

/** aedes's session store, and what the gateway does with it beyond aedes. */
export interface SessionStore {
  /** For aedes's `persistence` option. */
  readonly persistence: MemoryPersistence;
  /** False on the fallback (another aedes-persistence): queues are then not bounded. */
  readonly bounded: boolean;
  /** The installed aedes-persistence. */
  readonly version: string;
  /** Deletes all a session left behind: subscriptions, queued messages, QoS 2 state, will. */
  forget(clientId: string): Promise<void>;
  /** Messages queued for every session together (0 when not bounded: not counted then). */
  queuedMessages(): number;
}

/**
 * The broker's session store: aedes-persistence's in-memory store, whose outgoing queues (what a
 * session has not acknowledged yet) are replaced by bounded ones (outgoing-queues.ts). Everything
 * else (subscriptions, retained messages, wills, QoS 2 state) stays the library's. Checked against
 * the version it was written for; with another, aedes's plain store is used and `bounded` is false.
 */
export function createSessionStore(
  maxQueuedPerSession: number,
  onDropped: (clientId: string) => void,
): SessionStore {
  const { version, store } = loadWrittenFor();
  if (!store) return plainStore(version);
  const queues = new OutgoingQueues<Packet>(maxQueuedPerSession, onDropped);
  const persistence = new (boundedOn(store, queues))();
  return {
    persistence,
    version,
    bounded: true,
    forget: async (clientId) => {
      queues.delete(clientId);
      await forgetKept(persistence, clientId);
    },
    queuedMessages: () => queues.total,
  };
}

/** Only the outgoing queues change; aedes calls these five for QoS 1/2 deliveries only. */
function boundedOn(Base: MemoryPersistenceModule, queues: OutgoingQueues<Packet>) {
  const { Packet } = Base;
  return class BoundedMemoryPersistence extends Base {
    override async outgoingEnqueue(sub: Sub, packet: Packet): Promise<void> {
      queues.enqueue(sub.clientId, new Packet(packet));
    }

    // A copy per session, as the library makes: aedes sets each one's packet id.
    override async outgoingEnqueueCombi(subs: Sub[], packet: Packet): Promise<void> {
      for (let i = 0; i < subs.length; i++) queues.enqueue(subs[i].clientId, new Packet(packet));
    }

    override async outgoingUpdate(client: Id, packet: Packet): Promise<void> {
      queues.update(client.id, packet);
    }

    override async outgoingClearMessageId(client: Id, packet: Packet) {
      return queues.clear(client.id, packet.messageId);
    }

    override outgoingStream(client: Id): Readable {
      return Readable.from(queues.snapshot(client.id));
    }
  };
}

/** The store aedes would make by itself; a session's queue is emptied through its own API. */
function plainStore(version: string): SessionStore {
  const createMemory = require('aedes-persistence') as () => MemoryPersistence; // eslint-disable-line @typescript-eslint/no-require-imports
  const persistence = createMemory();
  return {
    persistence,
    version,
    bounded: false,
    forget: async (clientId) => {
      const client = { id: clientId };
      for await (const packet of persistence.outgoingStream(client))
        await persistence.outgoingClearMessageId(client, packet as Packet);
      await forgetKept(persistence, clientId);
    },
    queuedMessages: () => 0,
  };
}

async function forgetKept(persistence: MemoryPersistence, clientId: string): Promise<void> {
  const client = { id: clientId };
  await persistence.cleanSubscriptions(client);
  await persistence.cleanIncoming(client);
  await persistence.delWill(client);
}

/** The installed aedes-persistence, and its in-memory store class when it is the one this was written for. */
function loadWrittenFor(): { version: string; store?: MemoryPersistenceModule } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  let version = 'unknown';
  try {
    version = (require('aedes-persistence/package.json') as { version: string }).version;
    if (Number(version.split('.')[0]) !== WRITTEN_FOR_MAJOR) return { version };
    const store = require('aedes-persistence/asyncPersistence.js') as MemoryPersistenceModule;
    const methods = ['outgoingEnqueueCombi', 'outgoingUpdate', 'cleanSubscriptions', 'delWill'];
    const complete = methods.every(
      (m) => typeof store.prototype[m as keyof MemoryPersistence] === 'function',
    );
    return complete && typeof store.Packet === 'function' ? { version, store } : { version };
  } catch {
    return { version };
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}
