import { Reading } from '@iag/contracts';
import { AnomalyDetector, WindowScore } from '@iag/detection';

/** Batch size used to replay a series through a detector (as the gateway's micro-batches would). */
const REPLAY_BATCH = 512;

/**
 * Replays one device's readings (ts order) through a detector, as the gateway does, and returns
 * the raw score per reading (0 while it learns) with the scores themselves for contributions.
 */
export async function scoreSeries(
  detector: AnomalyDetector,
  deviceId: string,
  readings: readonly Reading[],
  profile: string | null = null,
): Promise<{ scores: Float64Array; details: (WindowScore | null)[] }> {
  const scores = new Float64Array(readings.length);
  const details: (WindowScore | null)[] = new Array(readings.length).fill(null);
  for (let start = 0; start < readings.length; start += REPLAY_BATCH) {
    const chunk = readings.slice(start, start + REPLAY_BATCH);
    const results = await detector.scoreBatch(
      chunk.map((reading) => ({ deviceId, reading, profile })),
    );
    results.forEach((result, i) => {
      details[start + i] = result;
      scores[start + i] = result?.score ?? 0;
    });
  }
  return { scores, details };
}
