// Self time per function from a V8 .cpuprofile (what `node --cpu-prof` writes).
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './paths.mjs';

/**
 * Frames sorted by self time: [{ frame, selfMs, percent }], `group` 'function' or 'file'.
 * `fromUs`/`toUs` keep only samples taken in that window (V8 timestamps: CLOCK_MONOTONIC in µs,
 * the clock of process.hrtime, so another process can name the window).
 */
export function topFrames(
  profile,
  { group = 'function', fromUs = -Infinity, toUs = Infinity } = {},
) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const intervals = profile.timeDeltas ?? [];
  const selfUs = new Map();
  let totalUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += intervals[i] ?? 0;
    if (at < fromUs || at > toUs) return;
    const dt = intervals[i + 1] ?? intervals[i] ?? 0;
    totalUs += dt;
    const key = frameKey(byId.get(id).callFrame, group);
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  });
  return [...selfUs.entries()]
    .map(([frame, us]) => ({ frame, selfMs: us / 1000, percent: (100 * us) / totalUs }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/** Coarse areas of the gateway, first match wins: what a before/after comparison reads best. */
const AREAS = [
  [
    'mqtt (aedes, mqtt-packet)',
    /~\/(aedes|mqtt-packet|aedes-[a-z-]+|fastfall|fastparallel|fastseries|reusify)\//,
  ],
  ['spool (lmdb)', /~\/(lmdb|msgpackr|ordered-binary)\/|\/spool\//],
  ['influx writer', /~\/influx\/|\/storage\/src\/(telemetry|influx)\//],
  ['validation', /\/contracts\/src\//],
  ['detection', /\/detection\/src\//],
  ['broker hooks and limits', /\/broker\/src\//],
  ['ingestion', /\/ingestion\/src\//],
  ['metrics (prom-client)', /~\/prom-client\//],
  ['node streams, net, timers', /^node:/],
];

function areaOf(file, functionName) {
  if (!file) return `(${functionName || 'native'})`;
  return AREAS.find(([, pattern]) => /** @type {RegExp} */ (pattern).test(file))?.[0] ?? 'other';
}

function frameKey({ functionName, url, lineNumber }, group) {
  const file = url ? shorten(url) : '';
  if (group === 'area') return areaOf(file, functionName);
  if (group === 'file') return file || `(${functionName || 'native'})`;
  const name = functionName || '(anonymous)';
  return file ? `${name} ${file}:${lineNumber + 1}` : name;
}

function shorten(url) {
  const path = url.replace(/^file:\/\//, '');
  const rel = relative(ROOT, path);
  return rel.startsWith('..') ? path : rel.replace(/^node_modules\//, '~/');
}

/** The profile `node --cpu-prof` wrote for process `pid` in `dir` (its name carries the pid). */
export function profileOf(dir, pid) {
  const name = readdirSync(dir).find(
    (file) => file.includes(`.${pid}.`) && file.endsWith('.cpuprofile'),
  );
  return name ? join(dir, name) : undefined;
}

/** The top frames as text lines, for a log or a file. */
export function formatTop(frames, count = 25) {
  return frames
    .slice(0, count)
    .map(
      ({ frame, selfMs, percent }) =>
        `${percent.toFixed(1).padStart(5)}%  ${selfMs.toFixed(0).padStart(7)} ms  ${frame}`,
    )
    .join('\n');
}
