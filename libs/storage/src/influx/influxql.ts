/**
 * InfluxQL quoting. influx's own `escape.stringLit` only escapes quotes (and the first
 * backslash-quote pair), which lets a trailing backslash break out of a literal, so we
 * escape backslashes, quotes and line breaks ourselves.
 */
function escapeBody(value: string, quote: '"' | "'"): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(quote === '"' ? /"/g : /'/g, `\\${quote}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** A double-quoted identifier: measurement, field, tag key, database. */
export function quoteIdent(name: string): string {
  return `"${escapeBody(name, '"')}"`;
}

/**
 * A tag key in a WHERE or GROUP BY clause, named as a tag: where a field of the same name exists
 * (one written by a build that did not reserve it), a bare `"device_id"` reads the field instead.
 */
export function tagRef(name: string): string {
  return `${quoteIdent(name)}::tag`;
}

/** A single-quoted string literal: tag values, string field values. */
export function quoteString(value: string): string {
  return `'${escapeBody(value, "'")}'`;
}

/** An epoch-ms instant as an InfluxQL time literal. */
export function msTime(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`not an integer epoch ms: ${ms}`);
  return `${ms}ms`;
}

const HOURS: Record<string, number> = { h: 1, d: 24, w: 168 };

/**
 * `DURATION x SHARD DURATION y` for a retention setting `INF` or `<n>[hdw]`, with InfluxDB's
 * own default shard group durations (1h below 2 days, 1d up to 6 months, 7d beyond).
 */
export function retentionClause(retention: string): string {
  if (retention === 'INF') return 'DURATION INF SHARD DURATION 7d';
  const match = /^(\d+)([hdw])$/.exec(retention);
  if (!match) throw new RangeError(`not a retention duration: ${retention}`);
  const hours = Number(match[1]) * HOURS[match[2]];
  if (hours === 0) return retentionClause('INF'); // InfluxDB reads a zero duration as infinite
  const shard = hours < 48 ? '1h' : hours <= 24 * 182 ? '1d' : '7d';
  return `DURATION ${hours}h SHARD DURATION ${shard}`;
}
