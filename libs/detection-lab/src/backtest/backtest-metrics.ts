import { classify, ClassificationReport } from '../evaluation/classification';
import { LabelledSeries, STANDARD_PROFILE } from '../evaluation/nab-scorer';
import { everyRowOver, scoreCorpus } from '../evaluation/threshold-sweep';
import { ReplayedDevice } from './replay';

/** One labelled event (a run of anomalous readings of one device) and how the alerts met it. */
export interface EventOutcome {
  deviceId: string;
  /** Row indexes within the device, inclusive, and their times. */
  firstRow: number;
  lastRow: number;
  startedAt: string;
  rows: number;
  caught: boolean;
  /** Readings from the event's first to the first one inside an episode; null if missed. */
  delayRows: number | null;
  delayMs: number | null;
  /** Share of the event's readings inside an episode (TEP's "detection rate" of a fault). */
  detected: number;
}

export interface BacktestSummary extends ClassificationReport {
  devices: number;
  readings: number;
  anomalousReadings: number;
  episodes: number;
  events: number;
  eventsCaught: number;
  /** NAB standard profile of the episodes' starts (one detection each), labelled runs as windows. */
  nabStandard: number | null;
}

export function summarise(devices: readonly ReplayedDevice[]): {
  summary: BacktestSummary;
  events: EventOutcome[];
} {
  const labels = concat(devices.map((d) => d.labels ?? new Uint8Array(d.readings.length)));
  const alarms = concat(devices.map((d) => d.alarms));
  const events = devices.flatMap(eventsOf);
  const labelled = devices.some((d) => d.labels !== null && d.labels.includes(1));
  return {
    summary: {
      ...classify(labels, alarms),
      devices: devices.length,
      readings: labels.length,
      anomalousReadings: labels.reduce((a, b) => a + b, 0),
      episodes: devices.reduce((n, d) => n + d.episodes.length, 0),
      events: events.length,
      eventsCaught: events.filter((e) => e.caught).length,
      nabStandard: labelled ? Number(nabOf(devices).toFixed(2)) : null,
    },
    events,
  };
}

function eventsOf(device: ReplayedDevice): EventOutcome[] {
  const { labels, alarms, readings, deviceId } = device;
  if (labels === null) return [];
  const out: EventOutcome[] = [];
  for (const [first, last] of runsOf(labels)) {
    let hit = -1;
    let inside = 0;
    for (let i = first; i <= last; i++) {
      if (alarms[i] !== 1) continue;
      inside++;
      if (hit < 0) hit = i;
    }
    out.push({
      deviceId,
      firstRow: first,
      lastRow: last,
      startedAt: new Date(readings[first].ts).toISOString(),
      rows: last - first + 1,
      caught: hit >= 0,
      delayRows: hit < 0 ? null : hit - first,
      delayMs: hit < 0 ? null : readings[hit].ts - readings[first].ts,
      detected: inside / (last - first + 1),
    });
  }
  return out;
}

/** NAB's standard profile with one detection per episode, at the reading it started at. */
function nabOf(devices: readonly ReplayedDevice[]): number {
  const corpus = devices.map((d) => {
    const onsets = new Float64Array(d.readings.length);
    const rowByTs = new Map(d.readings.map((r, i) => [r.ts, i]));
    for (const e of d.episodes) {
      const row = rowByTs.get(Date.parse(e.startedAt));
      if (row !== undefined) onsets[row] = 1;
    }
    const series: LabelledSeries = {
      name: d.deviceId,
      length: d.readings.length,
      windows: runsOf(d.labels ?? new Uint8Array(d.readings.length)),
    };
    return { series, scores: onsets };
  });
  return scoreCorpus(corpus, 1, everyRowOver, STANDARD_PROFILE).normalized;
}

/** Contiguous runs of 1, as inclusive row ranges. */
export function runsOf(labels: ArrayLike<number>): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= labels.length; i++) {
    if (i < labels.length && labels[i] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push([start, i - 1]);
      start = -1;
    }
  }
  return runs;
}

/** The arrays one after another. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
