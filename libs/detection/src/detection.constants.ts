/** Injection token of the active AnomalyDetector. */
export const ANOMALY_DETECTOR = Symbol('ANOMALY_DETECTOR');
/** Injection token of the ModelRoutingDetector (models per profile, z-score fallback). */
export const MODEL_ROUTER = Symbol('MODEL_ROUTER');

/** A submitted reading waits at most this long before its batch is scored. */
export const SCORING_TICK_MS = 20;
/** With this many readings queued, scoring starts on the next turn of the event loop instead. */
export const SCORING_EAGER_AT = 512;
/** Most readings handed to one scoreBatch call (bounds a model's predict batch). */
export const MAX_BATCH_READINGS = 2048;
/** Queue bound: past it the oldest readings are dropped and counted as overload. */
export const MAX_QUEUED_READINGS = 100_000;
