import mqtt, { MqttClient, Store } from 'mqtt';
import { Topics } from '@iag/contracts';
import { reconnectDelay } from './backoff';

/** One reading as the device sends it: its own timestamp and its metrics. */
export type WireReading = { ts: number } & Record<string, number>;

export interface DeviceSessionOptions {
  mqttUrl: string;
  deviceId: string;
  token: string;
  /** Readings kept while offline; beyond it the oldest are dropped (and counted). */
  maxBuffered: number;
  /** Readings per array message when sending the backlog (each ~120 bytes; the gateway allows 64 KiB). */
  batchSize: number;
  random: () => number;
}

export interface DeviceSessionStats {
  sent: number;
  acked: number;
  buffered: number;
  dropped: number;
  reconnects: number;
  connected: boolean;
  lastError: string | null;
}

/**
 * An ESP32-like MQTT session: QoS 1 publishes with the reading's own timestamp, reconnect with
 * exponential backoff and jitter, and a bounded backlog of readings taken while offline that is
 * sent as arrays (each reading keeping its ts) once the connection is back.
 */
export class DeviceSession {
  private client: MqttClient | undefined;
  /** Kept across reconnects: client.reconnect() without them starts empty stores and so forgets unacknowledged QoS 1 messages. */
  private readonly stores = { incomingStore: new Store(), outgoingStore: new Store() };
  private readonly backlog: WireReading[] = [];
  private attempt = 0;
  private flushing = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly topic: string;
  readonly stats: DeviceSessionStats = {
    sent: 0,
    acked: 0,
    buffered: 0,
    dropped: 0,
    reconnects: 0,
    connected: false,
    lastError: null,
  };

  constructor(private readonly options: DeviceSessionOptions) {
    this.topic = Topics.telemetry(options.deviceId);
  }

  start(): void {
    const { mqttUrl, deviceId, token } = this.options;
    this.client = mqtt.connect(mqttUrl, {
      username: deviceId,
      password: token,
      clientId: deviceId,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      connectTimeout: 5000,
      reconnectPeriod: 0, // our own backoff below
      ...this.stores,
    });
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => this.onClose());
    this.client.on('error', (error: Error & { code?: unknown }) => {
      this.stats.lastError =
        typeof error.code === 'number' ? `CONNACK ${error.code}` : error.message;
    });
  }

  /** Sends the reading now when online with an empty backlog, else keeps it for later. */
  send(reading: WireReading): void {
    if (this.stats.connected && !this.flushing && this.backlog.length === 0) {
      void this.publish([reading], false);
      return;
    }
    this.backlog.push(reading);
    this.trimBacklog();
  }

  /** True when nothing is waiting: no backlog and every publish acknowledged. */
  get idle(): boolean {
    return this.backlog.length === 0 && this.stats.acked === this.stats.sent;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.endAsync(true);
    this.stats.connected = false;
  }

  private onConnect(): void {
    this.attempt = 0;
    this.stats.connected = true;
    this.stats.lastError = null;
    void this.flush();
  }

  private onClose(): void {
    const wasConnected = this.stats.connected;
    this.stats.connected = false;
    if (this.stopped) return;
    if (wasConnected) this.stats.reconnects++;
    const delay = reconnectDelay(this.attempt++, this.options.random);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.client?.reconnect(this.stores);
    }, delay);
  }

  /** Sends the backlog oldest first, one array message at a time, while the connection holds. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.stats.connected && this.backlog.length > 0) {
        const batch = this.backlog.splice(0, this.options.batchSize);
        this.stats.buffered = this.backlog.length;
        await this.publish(batch, true);
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * QoS 1 publish. mqtt.js resends an unacknowledged message after a reconnect; when it gives up
   * on one instead (it calls back with an error), its readings go back to the front of the
   * backlog: a reading may then arrive twice, which stores the same point again, but is not lost.
   */
  private publish(readings: WireReading[], asArray: boolean): Promise<void> {
    const payload = JSON.stringify(asArray ? readings : readings[0]);
    this.stats.sent += readings.length;
    return new Promise((resolve) => {
      this.client?.publish(this.topic, payload, { qos: 1 }, (error) => {
        if (!error) this.stats.acked += readings.length;
        else if (!this.stopped) {
          this.stats.sent -= readings.length;
          this.backlog.unshift(...readings);
          this.trimBacklog();
        }
        resolve();
      });
    });
  }

  private trimBacklog(): void {
    while (this.backlog.length > this.options.maxBuffered) {
      this.backlog.shift();
      this.stats.dropped++;
    }
    this.stats.buffered = this.backlog.length;
  }
}
