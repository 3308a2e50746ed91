/**
 * Sixty metrics with long names: every anomaly event names them all (~5 KiB), so a few hundred
 * of them fill the kernel's socket buffers (~4 MB on loopback) behind a reader that stopped.
 * Needs DETECTOR_LEARN_READINGS <= 12, DETECTOR_LIKELIHOOD_READINGS=0 and EPISODE_CLOSE_AFTER=1:
 * then each spike is exactly two events (opened, closed).
 */
export const WIDE_METRICS = Array.from(
  { length: 60 },
  (_, k) => `m${String(k).padStart(2, '0')}_${'x'.repeat(57)}`,
);

export function spikingWideReadings(from: number, spikes: number): Array<Record<string, number>> {
  const out: Array<Record<string, number>> = [];
  let ts = from;
  const reading = (value: (k: number) => number) =>
    Object.fromEntries([['ts', (ts += 1000)], ...WIDE_METRICS.map((m, k) => [m, value(k)])]);
  for (let n = 0; n < 12; n++) out.push(reading((k) => 21 + 0.1 * Math.sin(n + k)));
  for (let s = 0; s < spikes; s++) {
    for (let n = 0; n < 4; n++) out.push(reading((k) => 21 + 0.1 * Math.sin(s * 7 + n + k)));
    out.push(reading(() => 60));
    out.push(reading((k) => 21 + 0.1 * Math.cos(s + k)));
  }
  return out;
}
