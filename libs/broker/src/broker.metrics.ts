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
export const mqttLaneMessages = new Counter({
  name: 'iag_mqtt_telemetry_lane_messages_total',
  help: "QoS 1 telemetry PUBLISHes handled past aedes's per-message path (listeners/telemetry-lane.ts), by whether they were routed to subscribers",
  labelNames: ['routed'] as const,
});
export const mqttPubackLatency = new Histogram({
  name: 'iag_mqtt_puback_latency_seconds',
  help: 'QoS 1 telemetry in the telemetry lane: from the PUBLISH parsed to its PUBACK handed to the socket (validation, rate limits, the spool commit).',
  buckets: [
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 1, 5,
  ],
});
