import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { InfluxConnection } from './influx-connection';

export interface InfluxPing {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

const PING_TIMEOUT_MS = 2_000;

/** Readiness probe for GET /ready: InfluxDB answers and our database exists. */
@Injectable()
export class InfluxHealth {
  constructor(private readonly influx: InfluxConnection) {}

  async ping(): Promise<InfluxPing> {
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      if (!(await this.influx.ping(PING_TIMEOUT_MS))) {
        return { ok: false, latencyMs: latency(), error: 'InfluxDB did not answer /ping' };
      }
      if (!this.influx.databaseReady) {
        return {
          ok: false,
          latencyMs: latency(),
          error: `database ${this.influx.database} is not ready yet`,
        };
      }
      return { ok: true, latencyMs: latency() };
    } catch (error) {
      return { ok: false, latencyMs: latency(), error: (error as Error).message };
    }
  }
}
