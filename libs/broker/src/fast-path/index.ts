// The broker's fast path: the only code that reaches inside aedes and mqtt-packet (fast-path.ts).
export { FastPath } from './fast-path';
export type { ConnectionHandler, FastPathParts } from './fast-path';
export { DISCARDED_TOPIC, discard } from './discarded-topic';
export { WRITTEN_FOR } from './written-for';
