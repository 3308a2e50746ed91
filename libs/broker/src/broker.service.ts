import { createServer, Server } from 'node:net';
import { AddressInfo } from 'node:net';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { Aedes, Client, loadAedes } from './aedes.types';
import { TopicAcl } from './acl/topic-acl';
import { DeviceAuthPolicy } from './auth/device-auth.policy';
import { BrokerException, BrokerExceptionCode } from './broker.exception';
import {
  DEVICE_CREDENTIALS,
  DeviceCredentials,
  TELEMETRY_SINK,
  TelemetrySink,
} from './broker.constants';
import { mqttConnections } from './broker.metrics';
import { PublishHooks } from './hooks/publish.hooks';
import { SessionRegistry } from './sessions/session-registry';
import { aclModeFrom } from './acl/acl-mode';
import { ConnectionLimiter } from './limits/connection-limiter';
import { DeviceRateLimiter } from './limits/device-rate-limiter';
import { withSlicedReads } from './limits/read-slicer';

/** Owns the embedded aedes broker and its listeners; the rest of the gateway talks to MQTT through it. */
@Injectable()
export class BrokerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BrokerService.name);
  private readonly sessions = new SessionRegistry();
  private readonly connections: ConnectionLimiter;
  private readonly rates: DeviceRateLimiter;
  private aedes?: Aedes;
  private tcp?: Server;

  constructor(
    private readonly config: GatewayConfig,
    @Inject(TELEMETRY_SINK) private readonly sink: TelemetrySink,
    @Inject(DEVICE_CREDENTIALS) private readonly credentials: DeviceCredentials,
  ) {
    const limits = config.mqttLimits;
    this.connections = new ConnectionLimiter(limits.maxConnections);
    this.rates = new DeviceRateLimiter({
      messagesPerSec: limits.deviceMessagesPerSec,
      bytesPerSec: limits.deviceBytesPerSec,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const aclMode = aclModeFrom(this.config.mqttAcl);
    const allowAnonymous = this.config.allowAnonymousDevices || aclMode === 'open';
    if (aclMode === 'open')
      this.logger.warn(
        'MQTT_ACL=open: anonymous devices and every topic are allowed (development only)',
      );
    const auth = new DeviceAuthPolicy(this.credentials, this.sessions, allowAnonymous);
    const hooks = new PublishHooks(
      this.sink,
      this.sessions,
      new TopicAcl(aclMode),
      (topic, payload, qos) =>
        this.publish(topic, payload, qos).catch((e: Error) =>
          this.logger.warn(`internal publish failed: ${e.message}`),
        ),
      this.rates,
    );
    const { Aedes } = await loadAedes();
    const aedes = await Aedes.createBroker({
      preConnect: auth.preConnect.bind(auth),
      authenticate: auth.authenticate.bind(auth),
      authorizePublish: hooks.authorizePublish.bind(hooks),
      authorizeSubscribe: hooks.authorizeSubscribe.bind(hooks),
      authorizeForward: hooks.authorizeForward.bind(hooks),
      // Generous client ids (MQTT 3.1.1 lets the server accept more than 23 characters).
      maxClientsIdLength: 128,
      // A subscriber that does not read for this long is disconnected (limits/slow-subscriber.ts).
      drainTimeout: this.config.mqttLimits.drainTimeoutMs,
      // No mqemitter queue: with aedes's default (100 deliveries at once, the rest queued) a
      // flood grows that queue without bound, and draining it recurses through messages that
      // match no subscriber until the stack overflows (the bare-aedes crash of DESIGN.md). What
      // is in flight is bounded per connection instead (limits/read-slicer.ts).
      concurrency: 0,
    });
    this.aedes = aedes;
    aedes.on('clientReady', (client) => this.onClientReady(client));
    aedes.on('clientDisconnect', (client) => this.onClientGone(client));
    aedes.on('clientError', (client, error) =>
      this.logger.debug(`client ${client.id}: ${error.message}`),
    );
    aedes.on('connectionError', (_client, error) =>
      this.logger.debug(`connection error: ${error.message}`),
    );
    this.tcp = await this.listenTcp(aedes);
  }

  /** Port the TCP listener is bound to (useful when configured as 0). */
  mqttPort(): number {
    return (this.tcp?.address() as AddressInfo | null)?.port ?? 0;
  }

  isConnected(deviceId: string): boolean {
    return this.sessions.isConnected(deviceId);
  }

  connectionCount(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  /** Closes every live session of a device (revocation); resolves once they are closed. */
  async disconnectDevice(deviceId: string): Promise<number> {
    const clients = this.sessions.clientsOf(deviceId);
    await Promise.all(
      clients.map((client) => new Promise<void>((resolve) => client.close(() => resolve()))),
    );
    return clients.length;
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void> {
    const aedes = this.aedes;
    if (!aedes || aedes.closed) return Promise.resolve();
    return new Promise((resolve, reject) =>
      aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Stop accepting first, then close live sessions: nothing new is acknowledged after this.
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) =>
      this.aedes ? this.aedes.close(() => resolve()) : resolve(),
    );
  }

  private onClientReady(client: Client): void {
    this.sessions.attach(client);
    mqttConnections.set(this.connectionCount());
  }

  private onClientGone(client: Client): void {
    this.sessions.detach(client);
    const deviceId = this.sessions.principalOf(client)?.deviceId;
    if (deviceId !== undefined && !this.sessions.isConnected(deviceId)) this.rates.forget(deviceId);
    mqttConnections.set(this.connectionCount());
  }

  private listenTcp(aedes: Aedes): Promise<Server> {
    const server = createServer(this.connections.guard(withSlicedReads(aedes.handle)));
    const { mqtt } = this.config.ports;
    return new Promise((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new BrokerException(
            BrokerExceptionCode.LISTEN_FAILED,
            `MQTT listener on ${this.config.bindHost}:${mqtt}: ${error.message}`,
          ),
        ),
      );
      server.listen(mqtt, this.config.bindHost, () => {
        this.logger.log(
          `MQTT listening on ${this.config.bindHost}:${(server.address() as AddressInfo).port}`,
        );
        resolve(server);
      });
    });
  }
}
