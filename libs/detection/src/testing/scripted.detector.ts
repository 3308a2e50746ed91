import { AnomalyDetector, DeviceWindow, WindowScore } from '../detector.port';

/**
 * A fake detector for tests: after `learnReadings` readings of a device it scores each reading as
 * its own `score` metric (0 when absent), with equal contributions from every metric. hold() keeps
 * batches in flight until released, like a model's micro-batched predict that takes its time.
 */
export class ScriptedDetector implements AnomalyDetector {
  readonly id = 'scripted';
  readonly version = 'test-1';
  readonly threshold = 0.5;
  /** Every batch scored, as given. */
  readonly batches: DeviceWindow[][] = [];
  /** Set to make the next scoreBatch reject. */
  failNext = false;
  private readonly seen = new Map<string, number>();
  private gate: Promise<void> | null = null;

  constructor(private readonly options: { learnReadings?: number } = {}) {}

  /** Batches started from now on wait until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  async scoreBatch(windows: DeviceWindow[]): Promise<(WindowScore | null)[]> {
    this.batches.push(windows);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('scripted failure');
    }
    const scores = windows.map((window) => this.scoreOne(window));
    if (this.gate !== null) await this.gate;
    return scores;
  }

  forget(deviceId: string): void {
    this.seen.delete(deviceId);
  }

  private scoreOne({ deviceId, reading }: DeviceWindow): WindowScore | null {
    const seen = (this.seen.get(deviceId) ?? 0) + 1;
    this.seen.set(deviceId, seen);
    if (seen <= (this.options.learnReadings ?? 0)) return null;
    const names = Object.keys(reading.values).sort();
    return {
      score: reading.values.score ?? 0,
      contributions: names.map((name) => ({ name, contribution: 1 / names.length })),
    };
  }
}
