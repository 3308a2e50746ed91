import { DetectionSettings } from '@iag/config';
import {
  ACTIVE_FILE,
  initTfBackend,
  loadServedModel,
  ModelRoutingDetector,
  readActiveVersions,
  routingDetector,
  servingOrder,
} from '@iag/detection';
import { join } from 'node:path';

export interface GatewayModels {
  /** The registry root (MODELS_DIR); null: no models, zero-config detection only. */
  modelsDir: string | null;
  /** Where the gateway keeps active-models.json (DATA_DIR); null: serve the newest versions. */
  dataDir: string | null;
}

/**
 * The detector a gateway with these settings and this model registry runs: the same routing
 * detector, serving for each model name the version the gateway would serve (the one activated
 * last, else the newest that loads). Returns it with the versions it serves.
 */
export async function gatewayDetector(
  settings: DetectionSettings,
  models: GatewayModels,
  log: (message: string) => void,
): Promise<{ detector: ModelRoutingDetector; served: string[] }> {
  const detector = routingDetector(settings);
  if (models.modelsDir === null) return { detector, served: [] };
  const active = models.dataDir ? await readActiveVersions(join(models.dataDir, ACTIVE_FILE)) : {};
  const served: string[] = [];
  let backendReady = false;
  for (const { name, versions } of servingOrder(models.modelsDir, active)) {
    for (const version of versions) {
      try {
        if (!backendReady) {
          await initTfBackend('auto', log);
          backendReady = true;
        }
        detector.activate(await loadServedModel(join(models.modelsDir, name, version)));
        served.push(`${name}/${version}`);
        break;
      } catch (error) {
        log(`cannot serve model ${name}/${version}: ${(error as Error).message}`);
      }
    }
  }
  return { detector, served };
}
