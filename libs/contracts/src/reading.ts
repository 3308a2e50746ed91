/** One validated reading: its own timestamp (epoch ms) and finite metric values. */
export interface Reading {
  ts: number;
  values: Record<string, number>;
}

export interface DeviceReadings {
  deviceId: string;
  readings: Reading[];
}
