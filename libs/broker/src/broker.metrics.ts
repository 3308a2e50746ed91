import { Counter, Gauge, Histogram } from 'prom-client';

export const mqttConnections = new Gauge({
  name: 'iag_mqtt_connections',
  help: 'MQTT sessions currently connected',
});
export const mqttConnectRefused = new Counter({
  name: 'iag_mqtt_connect_refused_total',
  help: 'CONNECTs refused, by reason',
  labelNames: ['reason'] as const,
});
export const mqttPublishDenied = new Counter({
  name: 'iag_mqtt_publish_denied_total',
  help: 'PUBLISHes refused by the topic ACL (the connection is closed)',
});
export const mqttSubscribeDenied = new Counter({
  name: 'iag_mqtt_subscribe_denied_total',
  help: 'Topic filters refused by the ACL (SUBACK 0x80)',
});
export const mqttMessagesReceived = new Counter({
  name: 'iag_mqtt_telemetry_messages_total',
  help: 'Telemetry PUBLISH messages received, by outcome',
  labelNames: ['outcome'] as const,
});
export const mqttProtocolViolations = new Counter({
  name: 'iag_mqtt_protocol_violations_total',
  help: 'Connections closed for breaking protocol or limits, by reason',
  labelNames: ['reason'] as const,
});
export const mqttConnectFailures = new Counter({
  name: 'iag_mqtt_connect_failures_total',
  help: 'Failed CONNECTs counted by the throttle, by scope (client address, device id)',
  labelNames: ['scope'] as const,
});
export const mqttConnectThrottled = new Counter({
  name: 'iag_mqtt_connect_throttled_total',
  help: 'CONNECTs answered late because of earlier failures from the same address or for the same device',
  labelNames: ['scope'] as const,
});
export const mqttConnectDelaySeconds = new Counter({
  name: 'iag_mqtt_connect_delay_seconds_total',
  help: 'Total time CONNECT answers were held back by the throttle',
});

export const mqttThrottled = new Counter({
  name: 'iag_mqtt_throttled_total',
  help: 'QoS 1 PUBLISHes held back by the per-device message or byte rate limit',
});
export const mqttForwardsDropped = new Counter({
  name: 'iag_mqtt_forwards_dropped_total',
  help: 'QoS 0 deliveries to subscribers not made, by reason (slow_subscriber: its socket was backed up)',
  labelNames: ['reason'] as const,
});
export const mqttTelemetryDropped = new Counter({
  name: 'iag_mqtt_telemetry_dropped_total',
  help: "QoS 0 messages dropped before validation, by reason (rate_limit: over the device's rate; overload: too many messages already in flight)",
  labelNames: ['reason'] as const,
});
// both reasons start at 0, so a rate() or an alert rule sees the series before the first drop
for (const reason of ['rate_limit', 'overload']) mqttTelemetryDropped.labels(reason).inc(0);

export const mqttFastPath = new Gauge({
  name: 'iag_mqtt_fast_path',
  help: "1 when the broker's fast path (bounded read slices, the telemetry lane) is on; 0 when the installed aedes or mqtt-packet are not the releases it was written for (see the start's warning)",
});

export const mqttLaneMessages = new Counter({
  name: 'iag_mqtt_telemetry_lane_messages_total',
  help: "QoS 1 telemetry PUBLISHes handled past aedes's per-message path (fast-path/telemetry-lane.ts), by whether they were routed to subscribers",
  labelNames: ['routed'] as const,
});
export const mqttPubackLatency = new Histogram({
  name: 'iag_mqtt_puback_latency_seconds',
  help: 'QoS 1 telemetry in the telemetry lane: from the PUBLISH parsed to its PUBACK handed to the socket (validation, rate limits, the spool commit).',
  buckets: [
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 1, 5,
  ],
});

export const mqttSessionQueueDropped = new Counter({
  name: 'iag_mqtt_session_queue_dropped_total',
  help: "Messages dropped from a session's queue of unacknowledged QoS 1 deliveries because it held MQTT_MAX_QUEUED_MESSAGES (the oldest goes)",
});
export const mqttSessionsEnded = new Counter({
  name: 'iag_mqtt_sessions_ended_total',
  help: 'Persistent sessions deleted by the gateway, by reason (expired: away past MQTT_SESSION_EXPIRY_S; evicted: room for a newer one of the same principal; revoked: its device or key was revoked)',
  labelNames: ['reason'] as const,
});
for (const reason of ['expired', 'evicted', 'revoked']) mqttSessionsEnded.labels(reason).inc(0);

type SessionFigures = () => { sessions: number; queued: number };
/** What the session gauges add up when scraped: every broker of the process (one outside tests). */
const sessionFigures = new Set<SessionFigures>();
const sessionTotal = (field: 'sessions' | 'queued') =>
  [...sessionFigures].reduce((sum, figures) => sum + figures()[field], 0);

/** Adds a broker's figures to the session gauges; the returned function takes them out. */
export function reportSessions(figures: SessionFigures): () => void {
  sessionFigures.add(figures);
  return () => sessionFigures.delete(figures);
}

export const mqttPersistentSessions = new Gauge({
  name: 'iag_mqtt_persistent_sessions',
  help: 'Persistent (CleanSession=0) sessions held, connected or away',
  collect() {
    this.set(sessionTotal('sessions'));
  },
});
export const mqttSessionQueued = new Gauge({
  name: 'iag_mqtt_session_queued_messages',
  help: 'QoS 1 messages queued for sessions and not yet acknowledged, all sessions together',
  collect() {
    this.set(sessionTotal('queued'));
  },
});
