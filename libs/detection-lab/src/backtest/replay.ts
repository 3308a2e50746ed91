import { Anomaly, Reading } from '@iag/contracts';
import { AnomalyDetector, DetectionPipeline, ScoreSource } from '@iag/detection';

/** One device of a labelled replay: its readings in ts order and, when labelled, 1 per anomalous one. */
export interface ReplayDevice {
  deviceId: string;
  profile: string | null;
  readings: Reading[];
  labels: Uint8Array | null;
}

export interface ReplayedDevice extends ReplayDevice {
  /** The combined score each reading got (0 while nothing scored it). */
  scores: Float64Array;
  /** What scored each reading: a model as name/version, else the detector id (null: nothing). */
  detectors: (string | null)[];
  /** 1 for each reading inside one of the device's episodes (started at or before it, not ended by it). */
  alarms: Uint8Array;
  /** The device's episodes as they stood at the end, oldest first. */
  episodes: Anomaly[];
}

/** Readings per scoring batch: the gateway scores at once from 512 queued readings on. */
export const REPLAY_BATCH = 512;

/**
 * Replays devices' readings through the gateway's own detection path (DetectionPipeline with the
 * detector a gateway with the same settings and models builds): every device's readings merged in
 * ts order, scored in batches as the gateway scores them, each episode taken at its last state.
 */
export async function replay(
  devices: readonly ReplayDevice[],
  detector: AnomalyDetector,
  episodes: { openAfter: number; closeAfter: number },
): Promise<ReplayedDevice[]> {
  const pipeline = new DetectionPipeline(detector, episodes);
  const byId = new Map(devices.map((d, i) => [d.deviceId, i]));
  const scores = devices.map((d) => new Float64Array(d.readings.length));
  const detectors = devices.map((d) => new Array<string | null>(d.readings.length).fill(null));
  const rowOf = devices.map((d) => new Map(d.readings.map((r, i) => [r.ts, i])));
  const anomalies = devices.map(() => new Map<string, Anomaly>());
  const queued = devices
    .flatMap((d) =>
      d.readings.map((reading) => ({ deviceId: d.deviceId, reading, profile: d.profile })),
    )
    .sort((a, b) => a.reading.ts - b.reading.ts);
  for (let start = 0; start < queued.length; start += REPLAY_BATCH) {
    const outcome = await pipeline.run(queued.slice(start, start + REPLAY_BATCH));
    outcome.windows.forEach(({ deviceId, reading }, i) => {
      const d = byId.get(deviceId)!;
      const row = rowOf[d].get(reading.ts)!;
      const result = outcome.scores[i];
      scores[d][row] = result?.score ?? 0;
      detectors[d][row] = result ? sourceName(result.source ?? detector) : null;
    });
    for (const { anomaly } of outcome.events)
      anomalies[byId.get(anomaly.deviceId)!].set(anomaly.id, anomaly);
  }
  return devices.map((device, d) => {
    const list = [...anomalies[d].values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    return {
      ...device,
      scores: scores[d],
      detectors: detectors[d],
      alarms: alarmsOf(device.readings, list),
      episodes: list,
    };
  });
}

function sourceName(source: Pick<ScoreSource, 'id' | 'version'>): string {
  return source.version === null ? source.id : `${source.id}/${source.version}`;
}

/** Rows inside an episode as an operator reads it afterwards: from startedAt until endedAt (open: to the end). */
export function alarmsOf(readings: readonly Reading[], episodes: readonly Anomaly[]): Uint8Array {
  const alarms = new Uint8Array(readings.length);
  for (const episode of episodes) {
    const from = Date.parse(episode.startedAt);
    const to = episode.endedAt === null ? Infinity : Date.parse(episode.endedAt);
    readings.forEach(({ ts }, i) => {
      if (ts >= from && ts < to) alarms[i] = 1;
    });
  }
  return alarms;
}
