import type { DetectionService } from '@iag/detection';
import type { InfluxHealth, TelemetryWriter } from '@iag/storage';
import { ReadinessService } from './readiness.service';

interface Situation {
  ping?: () => Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  retrying?: boolean;
  full?: boolean;
  detectorReady?: boolean;
}

function readiness({
  ping,
  retrying = false,
  full = false,
  detectorReady = true,
}: Situation = {}): ReadinessService {
  const influx = { ping: ping ?? (async () => ({ ok: true, latencyMs: 2 })) };
  const spool = { readings: 5, bytes: 400, maxBytes: 1000, oldestAgeMs: 12, waiting: 0, full };
  const writer = {
    stats: () => ({
      spool,
      writtenPoints: 9,
      failedWrites: 0,
      retrying,
      lastError: retrying ? 'ECONNREFUSED' : null,
    }),
  };
  const detection = {
    isReady: () => detectorReady,
    stats: () => ({ queued: 0, scored: 1, openEpisodes: 0, detector: 'zscore' }),
  };
  return new ReadinessService(
    influx as unknown as InfluxHealth,
    writer as unknown as TelemetryWriter,
    detection as unknown as DetectionService,
  );
}

describe(ReadinessService.name, () => {
  it('is ready when every check passes', async () => {
    const result = await readiness().check();
    expect(result.status).toBe('ready');
    expect(result.failing).toEqual([]);
    expect(result.checks.influx).toEqual({ ok: true, latencyMs: 2 });
  });

  it('is degraded while the writer retries, and shows the spool depth', async () => {
    const result = await readiness({ retrying: true }).check();
    expect(result.status).toBe('degraded');
    expect(result.failing).toEqual(['writer']);
    expect(result.checks.writer).toMatchObject({
      ok: false,
      lastError: 'ECONNREFUSED',
      spool: { readings: 5, bytes: 400, oldestAgeMs: 12 },
    });
  });

  it('is degraded while the spool is full', async () => {
    const result = await readiness({ full: true }).check();
    expect(result.failing).toEqual(['writer']);
    expect(result.checks.writer).toMatchObject({ ok: false, spool: { full: true } });
  });

  it('is degraded when InfluxDB is down or its ping throws', async () => {
    const down = await readiness({
      ping: async () => ({ ok: false, latencyMs: 3, error: 'timeout' }),
    }).check();
    expect(down.failing).toEqual(['influx']);
    const throwing = await readiness({
      ping: () => Promise.reject(new Error('socket hang up')),
    }).check();
    expect(throwing.checks.influx).toMatchObject({ ok: false, error: 'socket hang up' });
  });

  it('is degraded until the detector is ready', async () => {
    expect((await readiness({ detectorReady: false }).check()).failing).toEqual(['detector']);
  });
});
