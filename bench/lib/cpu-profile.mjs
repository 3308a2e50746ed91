// Self time per function from a V8 .cpuprofile (what `node --cpu-prof` writes).
import { relative } from 'node:path';
import { ROOT } from './paths.mjs';

/** Frames sorted by self time: [{ frame, selfMs, percent }], `group` 'function' or 'file'. */
export function topFrames(profile, { group = 'function' } = {}) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const intervals = profile.timeDeltas ?? [];
  const selfUs = new Map();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = intervals[i + 1] ?? intervals[i] ?? 0;
    totalUs += dt;
    const key = frameKey(byId.get(id).callFrame, group);
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  });
  return [...selfUs.entries()]
    .map(([frame, us]) => ({ frame, selfMs: us / 1000, percent: (100 * us) / totalUs }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

function frameKey({ functionName, url, lineNumber }, group) {
  const file = url ? shorten(url) : '';
  if (group === 'file') return file || `(${functionName || 'native'})`;
  const name = functionName || '(anonymous)';
  return file ? `${name} ${file}:${lineNumber + 1}` : name;
}

function shorten(url) {
  const path = url.replace(/^file:\/\//, '');
  const rel = relative(ROOT, path);
  return rel.startsWith('..') ? path : rel.replace(/^node_modules\//, '~/');
}
