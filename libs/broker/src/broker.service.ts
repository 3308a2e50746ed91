import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';
import type { TlsOptions } from 'node:tls';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { Aedes, AedesOptions, Client, loadAedes } from './aedes.types';
import { LoadedAcl, loadTopicAcl } from './acl/acl-loader';
import { ConnectThrottle } from './auth/connect-throttle';
import { deviceKey, principalKey, serviceKey } from './auth/mqtt-principal';
import { CredentialCheck } from './auth/credential-check';
import { MqttAuthPolicy } from './auth/mqtt-auth.policy';
import {
  DEVICE_CREDENTIALS,
  DeviceCredentials,
  SERVICE_CREDENTIALS,
  ServiceCredentials,
  TELEMETRY_SINK,
  TelemetrySink,
} from './broker.constants';
import { mqttConnections, mqttFastPath } from './broker.metrics';
import { PublishHooks } from './hooks/publish.hooks';
import { TelemetryAdmission } from './hooks/telemetry-admission';
import { TelemetryAudience } from './hooks/telemetry-audience';
import { ConnectionLimiter } from './limits/connection-limiter';
import { DeviceRateLimiter } from './limits/device-rate-limiter';
import { PerIpConnectionCap } from './limits/per-ip-connection-cap';
import { FastPath } from './fast-path';
import { ConnectionGate } from './listeners/connection-gate';
import { ConnectionInfos } from './listeners/connection-info';
import { plainListenerWarning } from './listeners/bind-host';
import { boundPort, closeServer, listenTcp, listenTls } from './listeners/mqtt-listeners';
import { WebSocketListener } from './listeners/websocket-listener';
import { SessionKeeper } from './sessions/session-keeper';
import { SessionRegistry } from './sessions/session-registry';
import { loadTlsMaterial } from './tls/tls-material';

/** Deeper topics are refused (connection closed); the gateway's own topics have two or three levels. */
const MAX_TOPIC_LEVELS = 16;

/** Owns the embedded aedes broker and its listeners; the rest of the gateway talks to MQTT through it. */
@Injectable()
export class BrokerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BrokerService.name);
  private readonly sessions = new SessionRegistry();
  private readonly audience = new TelemetryAudience();
  private readonly keeper: SessionKeeper;
  private aedes?: Aedes;
  private tcp?: Server;
  private tls?: Server;
  private websocket?: WebSocketListener;
  private readonly acl: LoadedAcl;
  private readonly tlsOptions: TlsOptions | undefined;
  private readonly connections: ConnectionLimiter;
  private readonly rates: DeviceRateLimiter;

  constructor(
    private readonly config: GatewayConfig,
    @Inject(TELEMETRY_SINK) private readonly sink: TelemetrySink,
    @Inject(DEVICE_CREDENTIALS) private readonly credentials: DeviceCredentials,
    @Inject(SERVICE_CREDENTIALS) private readonly services: ServiceCredentials,
  ) {
    // Read here, so a bad rules file or certificate stops the boot before storage starts anything.
    this.acl = loadTopicAcl(config.mqttAcl);
    this.tlsOptions = loadTlsMaterial(config.tls);
    const limits = config.mqttLimits;
    this.connections = new ConnectionLimiter(limits.maxConnections);
    this.rates = new DeviceRateLimiter({
      messagesPerSec: limits.deviceMessagesPerSec,
      bytesPerSec: limits.deviceBytesPerSec,
    });
    this.keeper = new SessionKeeper(config.mqttSessions, this.sessions, this.audience);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { acl, source } = this.acl;
    const security = this.config.mqttSecurity;
    if (acl.isOpen())
      this.logger.warn(
        'MQTT_ACL=open: anonymous devices and every topic are allowed (development only)',
      );
    else this.logger.log(`MQTT ACL: ${source}`);
    const admission = new TelemetryAdmission(this.sink, this.rates, (topic, payload, qos) =>
      this.publish(topic, payload, qos).catch((e: Error) =>
        this.logger.warn(`internal publish failed: ${e.message}`),
      ),
    );
    const audience = this.audience;
    const hooks = new PublishHooks(
      admission,
      audience,
      this.sessions,
      acl,
      security.maxSubscriptions,
    );
    const connections = new ConnectionInfos();
    const aedes = await this.createAedes(hooks, connections, acl);
    const gate = new ConnectionGate(
      aedes,
      connections,
      new PerIpConnectionCap(security.maxConnectionsPerIp),
      this.connections,
      security.maxPacketBytes,
      this.fastPath(hooks, admission, audience),
    );
    this.aedes = aedes;
    this.websocket = new WebSocketListener(gate, security.maxPacketBytes);
    await this.listen(gate);
  }

  private async listen(gate: ConnectionGate): Promise<void> {
    const host = this.config.bindHost;
    const port = this.config.ports.mqtt;
    const exposed = plainListenerWarning(host, port, this.tlsOptions !== undefined);
    if (exposed) this.logger.warn(exposed);
    if (port === null) this.logger.log('MQTT over plain TCP is off (MQTT_PORT=off)');
    else {
      this.tcp = await listenTcp(gate, host, port);
      this.logger.log(`MQTT listening on ${host}:${boundPort(this.tcp)}`);
    }
    if (!this.tlsOptions) return;
    const { mqtts } = this.config.ports;
    const timeout = this.config.mqttSecurity.connectTimeoutMs;
    this.tls = await listenTls(gate, host, mqtts, this.tlsOptions, timeout);
    const mtls = this.config.tls.ca ? ' (client certificates accepted)' : '';
    this.logger.log(`MQTTS listening on ${host}:${boundPort(this.tls)}${mtls}`);
  }

  /** Serves MQTT over WebSocket at /mqtt on the gateway's HTTP(S) server (wired by the app). */
  attachWebSocket(server: HttpServer): void {
    server.on('upgrade', (req, socket, head: Buffer) => {
      if (this.websocket) this.websocket.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  /** Port the TCP listener is bound to (useful when configured as 0); 0 when MQTT_PORT=off. */
  mqttPort(): number {
    return boundPort(this.tcp);
  }

  /** Port of the TLS listener, or 0 when TLS is not configured. */
  mqttsPort(): number {
    return boundPort(this.tls);
  }

  isConnected(deviceId: string): boolean {
    return this.sessions.isConnected(deviceId);
  }

  connectionCount(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  /** Closes every live session of a device (token rotation); its persistent sessions stay. */
  disconnectDevice(deviceId: string): Promise<number> {
    return closeAll(this.sessions.clientsOf(deviceId));
  }

  /** Revocation of a device: closes its live sessions, then deletes its persistent ones. */
  async revokeDevice(deviceId: string): Promise<number> {
    const closed = await this.disconnectDevice(deviceId);
    await this.keeper.revoke(deviceKey(deviceId));
    return closed;
  }

  /** Key revocation: closes its live service sessions, then deletes its persistent ones. */
  async disconnectKey(keyId: string): Promise<number> {
    const closed = await closeAll(this.sessions.clientsOfKey(keyId));
    await this.keeper.revoke(serviceKey(keyId));
    return closed;
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
    // server.close() calls back only once every connection has ended, so wait for it after
    // aedes has closed the sessions (a device that keeps publishing would hold it open forever).
    const listenersClosed = Promise.all([
      closeServer(this.tcp),
      closeServer(this.tls),
      this.websocket?.close(),
    ]);
    await new Promise<void>((resolve) =>
      this.aedes ? this.aedes.close(() => resolve()) : resolve(),
    );
    await listenersClosed;
    this.keeper.close();
  }

  /** The fast path, or plain aedes (said as a warning) when aedes or mqtt-packet are other releases. */
  private fastPath(
    hooks: PublishHooks,
    admission: TelemetryAdmission,
    audience: TelemetryAudience,
  ): FastPath {
    const fastPath = FastPath.create({ hooks, admission, audience });
    mqttFastPath.set(fastPath.enabled ? 1 : 0);
    if (fastPath.fallbackReason !== null)
      this.logger.warn(
        `${fastPath.fallbackReason}: serving every packet through aedes's own path (slower under load, and reads are no longer sliced, so a flood's memory is not bounded as documented)`,
      );
    return fastPath;
  }

  private async createAedes(
    hooks: PublishHooks,
    connections: ConnectionInfos,
    acl: LoadedAcl['acl'],
  ): Promise<Aedes> {
    const security = this.config.mqttSecurity;
    const auth = new MqttAuthPolicy(
      new CredentialCheck(
        this.credentials,
        this.services,
        this.config.allowAnonymousDevices || acl.isOpen(),
      ),
      this.sessions,
      this.keeper,
      acl,
      new ConnectThrottle({
        baseDelayMs: security.authDelayMs,
        maxDelayMs: security.authDelayMaxMs,
      }),
      connections,
    );
    const { Aedes } = await loadAedes();
    const aedes = await Aedes.createBroker({
      preConnect: auth.preConnect.bind(auth),
      authenticate: auth.authenticate.bind(auth),
      authorizePublish: hooks.authorizePublish.bind(hooks),
      authorizeSubscribe: hooks.authorizeSubscribe.bind(hooks),
      authorizeForward: hooks.authorizeForward.bind(hooks),
      // Persistent sessions' queues bounded by MQTT_MAX_QUEUED_MESSAGES (sessions/session-keeper.ts).
      persistence: this.keeper.store.persistence as AedesOptions['persistence'],
      // Generous client ids (MQTT-3.1.3-5 sets 23 as the least a server must accept).
      maxClientsIdLength: 128,
      maxTopicLevels: MAX_TOPIC_LEVELS,
      connectTimeout: security.connectTimeoutMs,
      // A subscriber that does not read for this long is disconnected (limits/slow-subscriber.ts).
      drainTimeout: this.config.mqttLimits.drainTimeoutMs,
      // No mqemitter queue: with aedes's default (100 deliveries at once, the rest queued) a
      // flood grows that queue without bound, and draining it recurses through messages that
      // match no subscriber until the stack overflows (the bare-aedes crash of DESIGN.md). What
      // is in flight is bounded per connection instead (fast-path/read-slicer.ts).
      concurrency: 0,
    });
    aedes.on('clientReady', (client) => this.onClientReady(client));
    aedes.on('clientDisconnect', (client) => this.onClientGone(client));
    aedes.on('unsubscribe', (filters, client) => hooks.forgetFilters(client, filters));
    aedes.on('clientError', (client, error) =>
      this.logger.debug(`client ${client.id}: ${error.message}`),
    );
    aedes.on('connectionError', (_client, error) =>
      this.logger.debug(`connection error: ${error.message}`),
    );
    return aedes;
  }

  private onClientReady(client: Client): void {
    this.sessions.attach(client);
    this.keeper.ready(client);
    mqttConnections.set(this.connectionCount());
  }

  private onClientGone(client: Client): void {
    this.sessions.detach(client);
    this.keeper.gone(client);
    const principal = this.sessions.principalOf(client);
    if (
      principal &&
      principal.kind !== 'service' &&
      !this.sessions.isConnected(principal.deviceId)
    ) {
      this.rates.forget(principalKey(principal));
    }
    mqttConnections.set(this.connectionCount());
  }
}

function closeAll(clients: Client[]): Promise<number> {
  return Promise.all(
    clients.map((client) => new Promise<void>((resolve) => client.close(() => resolve()))),
  ).then(() => clients.length);
}
