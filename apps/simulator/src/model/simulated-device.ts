import { DeviceModel, MetricValues } from './device-model';
import { applyFault, Fault, FAULT_KINDS, FaultKind, planFault } from './faults';
import { SeededRandom, seedFrom } from './seeded-random';

export interface SimulatedDeviceOptions {
  /** Random faults started per device and hour of readings (0 = only injected ones). */
  faultsPerHour: number;
  /** Interval between readings, to turn faultsPerHour into a per-reading chance. */
  intervalMs: number;
  /** Readings before the first random fault, so a detector has seen normal data first. */
  warmupReadings: number;
}

/** One reading with its ground truth. */
export interface LabelledReading {
  ts: number;
  values: MetricValues;
  /** The fault active for this reading, or null when it is healthy. */
  fault: FaultKind | null;
}

/** A fault as it happened, with the timestamps of its first and last reading. */
export interface FaultWindow {
  deviceId: string;
  kind: FaultKind;
  metrics: string[];
  startTs: number;
  endTs: number;
}

interface ActiveFault {
  fault: Fault;
  step: number;
  frozen: MetricValues;
  window: FaultWindow;
}

/**
 * A device's readings and their labels: healthy model plus random and injected faults, one at a
 * time. Pure and seeded: the same id, seed and timestamps give the same series.
 */
export class SimulatedDevice {
  private readonly model: DeviceModel;
  private readonly faultRng: SeededRandom;
  private readonly faultChance: number;
  private readings = 0;
  private active: ActiveFault | null = null;
  private pending: FaultKind | null = null;
  private readonly onFault: ((window: FaultWindow) => void) | undefined;

  constructor(
    readonly id: string,
    seed: number,
    private readonly options: SimulatedDeviceOptions,
    onFaultEnd?: (window: FaultWindow) => void,
  ) {
    const rng = new SeededRandom(seedFrom(id, seed));
    this.model = new DeviceModel(rng.fork(1));
    this.faultRng = rng.fork(2);
    this.faultChance = (options.faultsPerHour * options.intervalMs) / 3_600_000;
    this.onFault = onFaultEnd;
  }

  /** Starts a fault at the next reading (a random kind when none is given). */
  inject(kind?: FaultKind): void {
    this.pending = kind ?? this.faultRng.pick(FAULT_KINDS);
  }

  get faultActive(): boolean {
    return this.active !== null;
  }

  next(ts: number): LabelledReading {
    const healthy = this.model.next(ts);
    this.readings++;
    this.maybeStartFault(ts, healthy);
    const active = this.active;
    if (!active) return { ts, values: healthy, fault: null };
    const values = applyFault(active.fault, active.step, healthy, active.frozen);
    active.window.endTs = ts;
    if (++active.step >= active.fault.length) {
      this.active = null;
      this.onFault?.(active.window);
    }
    return { ts, values, fault: active.fault.kind };
  }

  /** The fault in progress, if any (its window so far). */
  currentFault(): FaultWindow | null {
    return this.active ? { ...this.active.window } : null;
  }

  private maybeStartFault(ts: number, healthy: MetricValues): void {
    if (this.active) return;
    let kind = this.pending;
    this.pending = null;
    if (
      !kind &&
      this.readings > this.options.warmupReadings &&
      this.faultRng.next() < this.faultChance
    ) {
      kind = this.faultRng.pick(FAULT_KINDS);
    }
    if (!kind) return;
    const fault = planFault(kind, this.faultRng);
    this.active = {
      fault,
      step: 0,
      frozen: { ...healthy },
      window: { deviceId: this.id, kind, metrics: fault.metrics, startTs: ts, endTs: ts },
    };
  }
}

/** Device ids of a simulated fleet: `prefix-0001` ... */
export function fleetIds(count: number, prefix = 'sim'): string[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);
}
