import { Global, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { join } from 'node:path';
import { AnomalyEventLog } from './anomalies/anomaly-event-log';
import { preparePrivateDataDir } from './data-dir/private-data-dir';
import { AnomalyIndex } from './anomalies/anomaly-index';
import { AnomalySync } from './anomalies/anomaly-sync';
import { AnomalyRepository } from './anomalies/anomaly.repository';
import { DeviceMetricNames } from './devices/device-metric-names';
import { DeviceRegistry } from './devices/device.registry';
import { MetricNamesSeed } from './devices/metric-names-seed';
import { InfluxConnection } from './influx/influx-connection';
import { InfluxHealth } from './influx/influx-health';
import { MANAGED_INFLUXD_DIR } from './influxd/influxd-credentials';
import { ManagedInfluxd } from './influxd/managed-influxd';
import { ApiKeyStore } from './keys/api-key.store';
import { RegistryStore } from './registry/registry-store';
import { SecretHasher } from './registry/secret-hasher';
import { TelemetryWriter } from './telemetry/telemetry-writer';
import { TelemetryRepository } from './telemetry/telemetry.repository';
import { LmdbPointSpool } from './spool/lmdb-point-spool';
import { POINT_SPOOL } from './storage.constants';

const PUBLIC_PROVIDERS = [
  InfluxHealth,
  TelemetryWriter,
  TelemetryRepository,
  AnomalyRepository,
  AnomalyEventLog,
  DeviceRegistry,
  DeviceMetricNames,
  ApiKeyStore,
];

/**
 * InfluxDB (an external one at INFLUX_URL, else our own supervised influxd under
 * DATA_DIR/influxdb), the durable telemetry spool under DATA_DIR/spool and the lmdb registry
 * under DATA_DIR/registry. Global, so its lifecycle hooks run before other modules' (Nest orders
 * global modules first) and shutdown runs last.
 */
@Global()
@Module({
  providers: [
    {
      provide: InfluxConnection,
      inject: [GatewayConfig],
      useFactory: ({ influx }: GatewayConfig) =>
        new InfluxConnection({ database: influx.database, retention: influx.retention }),
    },
    RegistryStore,
    AnomalyIndex,
    AnomalySync,
    MetricNamesSeed,
    SecretHasher,
    LmdbPointSpool,
    { provide: POINT_SPOOL, useExisting: LmdbPointSpool },
    ...PUBLIC_PROVIDERS,
  ],
  exports: PUBLIC_PROVIDERS,
})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StorageModule.name);
  private managed: ManagedInfluxd | undefined;

  constructor(
    private readonly config: GatewayConfig,
    private readonly influx: InfluxConnection,
    private readonly registry: RegistryStore,
    private readonly writer: TelemetryWriter,
    private readonly eventLog: AnomalyEventLog,
    private readonly anomalySync: AnomalySync,
    private readonly metricNames: DeviceMetricNames,
    private readonly metricNamesSeed: MetricNamesSeed,
    private readonly spool: LmdbPointSpool,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      this.checkDataDir();
      this.metricNames.loadProfiles();
      this.registry.open(join(this.config.dataDir, 'registry'));
      this.eventLog.load();
      this.spool.open(join(this.config.dataDir, 'spool'));
      const external = this.config.influx.url;
      if (external) this.influx.connect(external, this.config.influx.credentials);
      else this.influx.connect(await this.startManagedInfluxd(), this.managed?.credentials);
      // our own influxd must work now; an external one may come up later
      if (external) await this.influx.ensureDatabaseOrRetry();
      else await this.influx.ensureDatabase();
      this.writer.start(); // replays what an earlier run left in the spool
      await this.anomalySync.start();
      await this.metricNamesSeed.start();
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  /** Runs after the broker stopped: drains the spool for up to SHUTDOWN_FLUSH_MS, keeps the rest. */
  async onApplicationShutdown(): Promise<void> {
    await this.writer.close();
    await this.release();
  }

  /** 0700/0600 before anything is opened in it: what an earlier build left open is fixed, and named. */
  private checkDataDir(): void {
    const { fixed } = preparePrivateDataDir(this.config.dataDir);
    if (fixed.length === 0) return;
    const shown = fixed.slice(0, 5).join(', ');
    this.logger.warn(
      `DATA_DIR ${this.config.dataDir}: made ${fixed.length} entries private that other users ` +
        `could read (${shown}${fixed.length > 5 ? ', ...' : ''})`,
    );
  }

  private async startManagedInfluxd(): Promise<string> {
    this.managed = new ManagedInfluxd({
      dataDir: join(this.config.dataDir, MANAGED_INFLUXD_DIR),
      influxdPath: this.config.influx.influxdPath,
      log: (msg, level) => (level === 'warn' ? this.logger.warn(msg) : this.logger.log(msg)),
    });
    return this.managed.start();
  }

  private async release(): Promise<void> {
    this.anomalySync.stop();
    this.metricNamesSeed.stop();
    this.influx.close();
    await this.spool.close();
    await this.registry.close();
    await this.managed?.stop();
    this.managed = undefined;
  }
}
