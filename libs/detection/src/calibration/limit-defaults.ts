import { AdaptiveLimitOptions } from './adaptive-limits';

/**
 * How every detector's per-device limits learn (the multivariate detector's and a model's):
 * 3 sigmas in log space, kept current with weight 0.001 once the device has been quiet for 30
 * readings. Tuned with the multivariate detector on the tuning splits; one setting for all.
 */
export const DEVICE_LIMITS: AdaptiveLimitOptions = { sigmas: 3, weight: 0.001, quietBefore: 30 };

/** Share of a device's calibration readings that set its limits (the rest, before them, its scale). */
export const LIMIT_SHARE = 1 / 3;

/** Weight of the newest window in the EWMA of a model's error (small persistent shifts). */
export const ERROR_EWMA_WEIGHT = 0.3;
