/** Injection token of the PointSpool the TelemetryWriter drains (lmdb in the gateway). */
export const POINT_SPOOL = Symbol('POINT_SPOOL');
