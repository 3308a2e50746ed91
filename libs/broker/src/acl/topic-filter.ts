/**
 * MQTT topic filter arithmetic (MQTT 3.1.1 section 4.7). Filters and names are compared level by level;
 * `#` matches the parent level too (`a/#` matches `a`), `+` exactly one level.
 */

const levels = (topic: string): string[] => topic.split('/');

/** True when the topic name (no wildcards) matches the filter. */
export function topicMatches(filter: string, topic: string): boolean {
  return filterCovers(filter, topic);
}

/** True when every topic the `inner` filter can match is also matched by `outer`. */
export function filterCovers(outer: string, inner: string): boolean {
  const o = levels(outer);
  const i = levels(inner);
  for (let n = 0; n < o.length; n++) {
    if (o[n] === '#') return true;
    if (n >= i.length || i[n] === '#') return false;
    if (o[n] !== '+' && o[n] !== i[n]) return false;
  }
  return o.length === i.length;
}

/** True when at least one topic name matches both filters. */
export function filtersOverlap(a: string, b: string): boolean {
  const x = levels(a);
  const y = levels(b);
  for (let n = 0; n < Math.max(x.length, y.length); n++) {
    if (x[n] === '#' || y[n] === '#') return true;
    if (n >= x.length || n >= y.length) return false;
    if (x[n] !== '+' && y[n] !== '+' && x[n] !== y[n]) return false;
  }
  return true;
}

/** Why a string is not a valid topic filter, or null (MQTT-4.7.1-2, MQTT-4.7.1-3, MQTT-4.7.3-1). */
export function filterProblem(filter: string): string | null {
  if (filter.length === 0) return 'must not be empty';
  if (filter.includes('\u0000')) return 'must not contain U+0000';
  const parts = levels(filter);
  for (let n = 0; n < parts.length; n++) {
    const part = parts[n];
    if (part.includes('#') && (part !== '#' || n !== parts.length - 1))
      return "'#' must be a whole level and the last one";
    if (part.includes('+') && part !== '+') return "'+' must be a whole level";
  }
  return null;
}
