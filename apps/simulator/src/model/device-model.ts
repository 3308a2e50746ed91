import { SeededRandom } from './seeded-random';

/** The metrics an ESP32 environment node reports, in CSV column order. */
export const METRICS = ['temp', 'hum', 'pressure', 'power', 'vibration'] as const;
export type MetricName = (typeof METRICS)[number];
export type MetricValues = Record<MetricName, number>;

/** Typical size of each metric's normal variation: faults are scaled by it. */
export const METRIC_SCALE: MetricValues = {
  temp: 1,
  hum: 3,
  pressure: 1.5,
  power: 0.6,
  vibration: 0.02,
};

const DAY_MS = 86_400_000;

/** What makes one device unlike the next: mounting spot, sensor calibration, load. */
interface DeviceTraits {
  tempBase: number;
  tempAmplitude: number;
  /** Hour of the day's temperature peak, as a fraction of the day. */
  peakAt: number;
  humBase: number;
  pressureBase: number;
  powerBase: number;
  vibrationBase: number;
}

/** AR(1) noise with unit stationary variance: sensor noise is smooth, not white. */
class Ar1 {
  private value = 0;

  constructor(private readonly phi: number) {}

  step(rng: SeededRandom): number {
    this.value = this.phi * this.value + Math.sqrt(1 - this.phi * this.phi) * rng.gaussian();
    return this.value;
  }
}

/**
 * One healthy ESP32-like node: temperature follows the day, humidity moves against it, pressure
 * follows slow weather, power rises with the cooling fan when it is warm, vibration follows power.
 * Deterministic for a given seed and sequence of timestamps.
 */
export class DeviceModel {
  private readonly traits: DeviceTraits;
  private readonly weather = new Ar1(0.999);
  private readonly noise = {
    temp: new Ar1(0.8),
    hum: new Ar1(0.6),
    pressure: new Ar1(0.9),
    power: new Ar1(0.3),
    vibration: new Ar1(0.2),
  };

  constructor(private readonly rng: SeededRandom) {
    this.traits = {
      tempBase: rng.between(18, 26),
      tempAmplitude: rng.between(1.5, 4.5),
      peakAt: rng.between(13, 17) / 24,
      humBase: rng.between(35, 55),
      pressureBase: rng.between(1005, 1020),
      powerBase: rng.between(2, 6),
      vibrationBase: rng.between(0.02, 0.08),
    };
  }

  /** Healthy values at `tsMs` (call with increasing timestamps). */
  next(tsMs: number): MetricValues {
    const t = this.traits;
    const dayFraction = (((tsMs % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
    const daily = Math.cos(2 * Math.PI * (dayFraction - t.peakAt));
    const weather = this.weather.step(this.rng);
    const temp =
      t.tempBase + t.tempAmplitude * daily + 0.8 * weather + 0.15 * this.noise.temp.step(this.rng);
    const hum = clamp(
      t.humBase - 2.2 * (temp - t.tempBase) + 0.8 * this.noise.hum.step(this.rng),
      0,
      100,
    );
    const pressure = t.pressureBase + 6 * weather + 0.3 * this.noise.pressure.step(this.rng);
    const fan = Math.max(0, temp - 22) * 0.35;
    const power = t.powerBase + fan + 0.1 * this.noise.power.step(this.rng);
    const vibration = Math.max(
      0,
      t.vibrationBase * (1 + (0.4 * fan) / t.powerBase) +
        0.004 * this.noise.vibration.step(this.rng),
    );
    return { temp, hum, pressure, power, vibration };
  }
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
