import * as net from 'node:net';
import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import * as mqttPacket from 'mqtt-packet';

const BASE: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4 };

/** A connected device session over TCP (mqtt.js, MQTT 3.1.1). */
export async function connectDevice(
  port: number,
  deviceId: string,
  token: string,
  options: IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    ...BASE,
    username: deviceId,
    password: token,
    clientId: `${deviceId}-${Math.random().toString(36).slice(2, 8)}`,
    ...options,
  });
}

/** A connected session at any URL (mqtts://, ws://, wss://), MQTT 3.1.1, no reconnects. */
export function connectAt(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    ...BASE,
    clientId: `c-${Math.random().toString(36).slice(2, 10)}`,
    ...options,
  });
}

/**
 * A CONNECT with CleanSession=0 that should be accepted: the session, its CONNACK's Session Present,
 * and what it receives from the start (queued messages come right behind the CONNACK).
 */
export function connectPersistent(
  port: number,
  options: IClientOptions,
): Promise<{
  client: MqttClient;
  sessionPresent: boolean;
  received: { topic: string; payload: string }[];
}> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      clean: false,
      ...options,
    });
    const received = collect(client);
    client.once('connect', (connack) =>
      resolve({ client, sessionPresent: connack.sessionPresent, received }),
    );
    client.once('error', reject);
  });
}

/** Attempts a CONNECT that should be refused; resolves with the CONNACK return code. */
export function connackRefusal(port: number, options: IClientOptions): Promise<number> {
  return connackRefusalAt(`mqtt://127.0.0.1:${port}`, options);
}

/** As connackRefusal, at any URL. */
export function connackRefusalAt(url: string, options: IClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { ...BASE, ...options });
    client.once('connect', () => {
      client.end(true);
      reject(new Error('connection was accepted'));
    });
    client.once('error', (error: Error & { code?: number }) => {
      client.end(true);
      if (typeof error.code === 'number') resolve(error.code);
      else reject(error);
    });
  });
}

/** Collects the messages a client receives, for polling. */
export function collect(client: MqttClient): Array<{ topic: string; payload: string }> {
  const received: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) =>
    received.push({ topic, payload: payload.toString('utf8') }),
  );
  return received;
}

export function waitForClose(client: MqttClient, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve(0);
    const timer = setTimeout(() => reject(new Error('connection was not closed')), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

/** SUBSCRIBE and return the SUBACK return codes in order; mqtt.js rejects when one is 0x80, so read them off the error. */
export async function subscribeGranted(
  client: MqttClient,
  filters: string[],
  qos: 0 | 1 | 2 = 1,
): Promise<number[]> {
  const wanted = Object.fromEntries(filters.map((f) => [f, { qos }]));
  try {
    const granted = await client.subscribeAsync(wanted);
    return granted.map((g) => g.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw error;
    return packet.granted;
  }
}

/**
 * Sends a raw CONNECT (mqtt-packet) and resolves with the CONNACK return code, for what mqtt.js itself refuses
 * to send, such as a zero-byte client id with CleanSession=0.
 */
export function rawConnack(
  port: number,
  connect: Partial<mqttPacket.IConnectPacket>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no CONNACK'));
    }, 5000);
    parser.on('packet', (packet) => {
      clearTimeout(timer);
      socket.destroy();
      if (packet.cmd === 'connack') resolve(packet.returnCode ?? -1);
      else reject(new Error(`unexpected ${packet.cmd}`));
    });
    socket.on('data', (data) => parser.parse(data));
    socket.on('error', reject);
    const { clean = true, ...fields } = connect;
    const bytes = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: '',
      keepalive: 30,
      ...fields,
      clean: true,
    });
    // mqtt-packet will not encode CleanSession=0 with an empty id, so clear the flag by hand [MQTT 3.1.1 section 3.1.2.3]:
    // the flags byte follows the fixed header, the protocol name (6 bytes) and the protocol level (1 byte).
    if (!clean) bytes[remainingLengthBytes(bytes) + 1 + 7] &= ~0x02;
    socket.write(bytes);
  });
}

function remainingLengthBytes(packet: Buffer): number {
  let i = 1;
  while (packet[i] & 0x80) i++;
  return i;
}

/**
 * A hand-driven MQTT connection (raw bytes, any local loopback address), for what no well-behaved client
 * sends: garbage, truncated or oversized packets, floods. Collects what the server sends back.
 */
export class RawSession {
  readonly received: mqttPacket.Packet[] = [];
  readonly closed: Promise<void>;
  private readonly socket: net.Socket;
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });

  constructor(port: number, localAddress = '127.0.0.1') {
    this.socket = net.connect({ port, host: '127.0.0.1', localAddress });
    this.parser.on('packet', (packet) => this.received.push(packet));
    this.parser.on('error', () => this.socket.destroy());
    this.socket.on('data', (data) => this.parser.parse(data));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  write(bytes: Uint8Array | mqttPacket.Packet): this {
    const data = bytes instanceof Uint8Array ? bytes : mqttPacket.generate(bytes);
    if (!this.socket.destroyed) this.socket.write(data);
    return this;
  }

  connect(fields: Partial<mqttPacket.IConnectPacket> = {}): this {
    return this.write({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: `raw-${Math.random().toString(36).slice(2, 10)}`,
      clean: true,
      keepalive: 30,
      ...fields,
    } as mqttPacket.IConnectPacket);
  }

  /** Resolves with the first packet of this kind the server sent (polling the received list). */
  async next(cmd: string, timeoutMs = 5000): Promise<mqttPacket.Packet> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const packet = this.received.find((p) => p.cmd === cmd);
      if (packet) return packet;
      if (Date.now() > deadline) throw new Error(`no ${cmd} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves once the server has closed the connection; rejects if it stays open past the timeout. */
  async closedWithin(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('connection still open')), timeoutMs);
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}
