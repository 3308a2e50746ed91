/** A provisioned device as the REST API shows it. */
export interface DeviceView {
  id: string;
  profile: string | null;
  createdAt: string;
  lastSeen: string | null;
  connected: boolean;
  accepted: number;
  rejected: number;
}

export interface ProvisionedDevice {
  id: string;
  profile: string | null;
  /** Shown once; only its hash is stored. */
  token: string;
}
