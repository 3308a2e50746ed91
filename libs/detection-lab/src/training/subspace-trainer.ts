import {
  DEFAULT_MAX_CARRY_FORWARD,
  DEFAULT_SUBSPACE_OPTIONS,
  featureRowsOf,
  ModelMetadata,
  ServableModel,
  SubspaceBasis,
  SubspaceModel,
} from '@iag/detection';
import { LabException, LabExceptionCode } from '../lab.exception';
import { writeSubspaceArtifact } from '../model/subspace-writer';
import { DeviceSeries } from './window-dataset';

export interface SubspaceTrainOptions {
  name: string;
  version: string;
  features: string[];
  /** Readings each device calibrates the model to itself over (centre, scale, then its limits). */
  calibrationReadings: number;
  maxCarryForward?: number;
  episode?: { openAfter: number; closeAfter: number };
  trainedOn?: Record<string, unknown>;
}

export interface SubspaceTrainResult {
  model: ServableModel;
  save(dir: string): Promise<void>;
  /** Feature rows the fit used, per device. */
  rows: number[];
  components: number;
}

/**
 * Fits a subspace model to a fleet's normal history: the relation between its features (value
 * and step of each, standardised per device) as a covariance, from rows built exactly as the
 * gateway builds them. Each device recentres it when it connects; nothing here is per device.
 */
export function trainSubspace(
  series: DeviceSeries[],
  options: SubspaceTrainOptions,
): SubspaceTrainResult {
  const maxCarryForward = options.maxCarryForward ?? DEFAULT_MAX_CARRY_FORWARD;
  const perDevice = series.map(({ readings }) =>
    featureRowsOf(readings, options.features, maxCarryForward),
  );
  const total = perDevice.reduce((n, rows) => n + rows.length, 0);
  const width = 2 * options.features.length;
  if (total < Math.max(20, width + 2)) {
    throw new LabException(
      LabExceptionCode.INVALID_OPTIONS,
      `too little data: ${total} readings with every feature present (need at least ${Math.max(20, width + 2)})`,
    );
  }
  const basis = SubspaceBasis.fitFleet(perDevice, DEFAULT_SUBSPACE_OPTIONS);
  const state = basis.state();
  const f = options.features.length;
  const metadata: ModelMetadata = {
    name: options.name,
    kind: 'subspace',
    version: options.version,
    features: options.features,
    windowSize: 1,
    normalization: {
      mode: 'per-device',
      mean: state.center.slice(0, f),
      std: state.scale.slice(0, f),
      calibrationReadings: options.calibrationReadings,
    },
    threshold: DEFAULT_SUBSPACE_OPTIONS.limitSigmas,
    ...(options.episode ? { episode: options.episode } : {}),
    maxCarryForward,
    trainedOn: {
      ...options.trainedOn,
      devices: series.length,
      readings: series.reduce((sum, s) => sum + s.readings.length, 0),
      rows: total,
      components: basis.componentCount,
    },
    evaluation: null,
    createdAt: new Date().toISOString(),
  };
  return {
    model: new SubspaceModel(metadata, basis),
    save: (dir) => writeSubspaceArtifact(dir, metadata, state),
    rows: perDevice.map((rows) => rows.length),
    components: basis.componentCount,
  };
}
