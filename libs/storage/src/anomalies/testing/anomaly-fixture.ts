import { Anomaly, anomalyId } from '@iag/contracts';

/** An open anomaly of `deviceId` that started at `startedAtMs`, nobody's yet; `overrides` win. */
export function anomalyFixture(
  deviceId: string,
  startedAtMs: number,
  overrides: Partial<Anomaly> = {},
): Anomaly {
  const detector = overrides.detector ?? 'zscore';
  const modelVersion = overrides.modelVersion ?? null;
  return {
    id: anomalyId(deviceId, startedAtMs),
    deviceId,
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: null,
    peakScore: 1.5,
    threshold: 0.04,
    severity: 'warning',
    metrics: [],
    detector,
    modelVersion,
    detectors: [
      {
        detector,
        modelVersion,
        peakScore: overrides.peakScore ?? 1.5,
        threshold: overrides.threshold ?? 0.04,
      },
    ],
    status: 'open',
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolvedBy: null,
    resolvedAt: null,
    ...overrides,
  };
}
