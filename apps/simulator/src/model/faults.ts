import { clamp, METRIC_SCALE, METRICS, MetricName, MetricValues } from './device-model';
import { SeededRandom } from './seeded-random';

/**
 * The injected failures. Each lasts a number of readings, so the same fault fits a 1 s live
 * stream and a 60 s export; every reading inside one is labelled anomalous.
 * - spike: one metric jumps for 1-3 readings (a glitch, a loose connector)
 * - drift: one metric's offset grows steadily (calibration loss, fouled sensor)
 * - stuck: one metric repeats its last value exactly (frozen sensor, dead ADC)
 * - correlated: fan failure: temp and power climb, vibration rattles, humidity falls, together
 */
export const FAULT_KINDS = ['spike', 'drift', 'stuck', 'correlated'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  metrics: MetricName[];
  /** Readings it lasts. */
  length: number;
  /** Signed size in units of METRIC_SCALE. */
  magnitude: number;
}

const LENGTH: Record<FaultKind, [number, number]> = {
  spike: [1, 3],
  drift: [60, 360],
  stuck: [60, 240],
  correlated: [20, 90],
};

export function planFault(kind: FaultKind, rng: SeededRandom): Fault {
  const [min, max] = LENGTH[kind];
  const sign = rng.next() < 0.5 ? -1 : 1;
  switch (kind) {
    case 'spike':
      return {
        kind,
        metrics: [rng.pick(METRICS)],
        length: rng.int(min, max),
        magnitude: sign * rng.between(8, 20),
      };
    case 'drift':
      return {
        kind,
        metrics: [rng.pick(METRICS)],
        length: rng.int(min, max),
        magnitude: sign * rng.between(6, 12),
      };
    case 'stuck':
      return { kind, metrics: [rng.pick(METRICS)], length: rng.int(min, max), magnitude: 0 };
    case 'correlated':
      return {
        kind,
        metrics: ['temp', 'power', 'vibration', 'hum'],
        length: rng.int(min, max),
        magnitude: rng.between(6, 10),
      };
  }
}

/**
 * The faulty values `step` readings into `fault` (0-based), given the healthy ones and, for a
 * stuck sensor, the values frozen when it began.
 */
export function applyFault(
  fault: Fault,
  step: number,
  healthy: MetricValues,
  frozen: MetricValues,
): MetricValues {
  const out = { ...healthy };
  const progress = fault.length <= 1 ? 1 : step / (fault.length - 1);
  switch (fault.kind) {
    case 'spike':
      for (const m of fault.metrics) out[m] += fault.magnitude * METRIC_SCALE[m];
      break;
    case 'drift':
      for (const m of fault.metrics) out[m] += fault.magnitude * METRIC_SCALE[m] * progress;
      break;
    case 'stuck':
      for (const m of fault.metrics) out[m] = frozen[m];
      break;
    case 'correlated': {
      // ramps up over the first third, then holds
      const level = fault.magnitude * Math.min(1, 3 * progress + 0.34);
      out.temp += level * METRIC_SCALE.temp;
      out.power += 0.6 * level * METRIC_SCALE.power;
      out.vibration += 0.8 * level * METRIC_SCALE.vibration;
      out.hum = clamp(out.hum - 0.7 * level * METRIC_SCALE.hum, 0, 100);
      break;
    }
  }
  return out;
}
