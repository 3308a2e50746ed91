// Small pure helpers for summarising runs. Latency distributions use HdrHistogram (hdr-histogram-js).

/** The q-quantile (0..1) of numbers by linear interpolation between closest ranks; NaN when empty. */
export function quantile(values, q) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export const median = (values) => quantile(values, 0.5);

/**
 * The median of each numeric field across runs (fields missing or non-numeric in a run are left
 * out of that field's median; a field numeric in no run is dropped). Nested objects are walked.
 */
export function medianOfRuns(runs) {
  const keys = new Set(runs.flatMap((run) => Object.keys(run ?? {})));
  const out = {};
  for (const key of keys) {
    const values = runs.map((run) => run?.[key]);
    if (values.some((v) => typeof v === 'number')) {
      out[key] = median(values.filter((v) => typeof v === 'number'));
    } else if (values.some((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      const nested = medianOfRuns(values.filter((v) => v !== null && typeof v === 'object'));
      if (Object.keys(nested).length > 0) out[key] = nested;
    }
  }
  return out;
}

/** a / b, or null when b is not a positive number (a ratio that cannot be taken is not 0). */
export function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
}

/** Rounds for display: 3 significant digits below 100, integers above. */
export function round(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  return Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(3));
}

/** A table cell: rounded number, or empty. */
export const fmt = (value) => (value === undefined || value === null ? '' : String(round(value)));
export const met = (value) => (value === true ? 'met' : value === false ? 'NOT met' : '');

/**
 * A histogram's buckets between two scrapes ({ le -> count }, cumulative), for the samples whose
 * labels contain `labelText`.
 */
export function histogramDelta(before, after, name, labelText = '') {
  const buckets = new Map();
  const prefix = `${name}_bucket{`;
  for (const [key, value] of Object.entries(after)) {
    if (!key.startsWith(prefix) || !key.includes(labelText)) continue;
    const le = /le="([^"]+)"/.exec(key)[1];
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + value - (before[key] ?? 0));
  }
  return buckets;
}

/** The upper bound (ms) of the bucket holding quantile `q`; undefined without samples. */
export function bucketQuantileMs(buckets, q) {
  const count = buckets.get(Infinity) ?? 0;
  if (count === 0) return undefined;
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  return bounds.find((le) => buckets.get(le) >= q * count) * 1000;
}
