/** Device ids (DESIGN.md, MQTT contract). Also the MQTT username. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Metric names double as InfluxDB field names. */
export const METRIC_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Profiles name a set of metrics served by one model. */
export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Names that storage already gives a meaning in the `telemetry` measurement, with the reason a
 * device is told. A metric is a field of that measurement: a field named like the device tag is
 * what InfluxQL reads for `"device_id" = '...'` unless the tag is named as a tag, and InfluxDB
 * refuses a field named `time` (the rest of the batch is written, that reading is lost).
 */
export const RESERVED_METRIC_NAMES: ReadonlyMap<string, string> = new Map([
  ['time', "it is InfluxDB's timestamp column"],
  ['device_id', 'it is the tag that names the device in storage'],
]);

/** Why `name` cannot be a metric name (pattern or reserved), or null when it can. */
export function metricNameProblem(name: string): string | null {
  const shown = JSON.stringify(name.slice(0, 80));
  if (!METRIC_NAME_PATTERN.test(name)) {
    return `metric name ${shown} must match ${METRIC_NAME_PATTERN.source}`;
  }
  const reserved = RESERVED_METRIC_NAMES.get(name);
  return reserved === undefined ? null : `metric name ${shown} is reserved: ${reserved}`;
}

export function isDeviceId(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID_PATTERN.test(value);
}
