import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { MODEL_NAME_PATTERN, MODEL_VERSION_PATTERN, ModelView } from '@iag/contracts';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_ROUTER } from '../detection.constants';
import { DetectionException, DetectionExceptionCode } from '../detection.exception';
import { modelActivations } from '../detection.metrics';
import { ModelRoutingDetector } from '../routing/model-routing.detector';
import { BackendPreference, initTfBackend } from '../tf/tf-backend';
import { loadServedModel, readModelMetadata } from './model-artifact';
import { ModelMetadata } from './model-metadata';
import { compareVersions, listModelDirs } from './model-dirs';

/** Which version of each model name serves, kept across restarts (in DATA_DIR, not in the models tree). */
export const ACTIVE_FILE = 'active-models.json';

/**
 * The model registry (DESIGN.md, Models): `MODELS_DIR/{name}/{version}/`. At start it serves, for
 * each name, the version activated last (or the newest); activate() loads and checks a version
 * before swapping it in, so an invalid model is refused and the old one keeps serving.
 */
@Injectable()
export class ModelRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger(ModelRegistry.name);
  private readonly root: string;
  private readonly activeFile: string;
  private readonly backend: BackendPreference;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    config: GatewayConfig,
    @Inject(MODEL_ROUTER) private readonly router: ModelRoutingDetector,
  ) {
    this.root = config.modelsDir;
    this.activeFile = join(config.dataDir, ACTIVE_FILE);
    this.backend = config.models.backend;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.router.setLoading(true);
    try {
      await this.loadAtStart();
    } finally {
      this.router.setLoading(false);
    }
  }

  /** Every version on disk, newest first per name; unreadable ones are left out (and logged). */
  async list(): Promise<ModelView[]> {
    const active = this.router.active();
    const views: ModelView[] = [];
    for (const { name, version, dir } of listModelDirs(this.root)) {
      try {
        const meta = await readModelMetadata(dir);
        views.push(toView(meta, active.get(name)?.metadata.version === version));
      } catch (error) {
        this.logger.warn(`skipping ${name}/${version}: ${(error as Error).message}`);
      }
    }
    return views;
  }

  /** Loads, checks and hot-swaps a version in; serialised, so two activations never interleave. */
  activate(name: string, version: string): Promise<ModelView> {
    const run = this.queue.then(() => this.doActivate(name, version, true));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doActivate(name: string, version: string, persist: boolean): Promise<ModelView> {
    const dir = this.dirOf(name, version);
    try {
      await initTfBackend(this.backend, (m) => this.logger.log(m));
      const model = await loadServedModel(dir);
      this.router.activate(model);
      if (persist) await this.persist();
      modelActivations.inc({ outcome: 'activated' });
      this.logger.log(
        `model ${name}/${version} is active (features ${model.metadata.features.join(',')})`,
      );
      return toView(model.metadata, true);
    } catch (error) {
      modelActivations.inc({ outcome: 'refused' });
      throw error;
    }
  }

  private dirOf(name: string, version: string): string {
    const dir = join(this.root, name, version);
    if (
      !MODEL_NAME_PATTERN.test(name) ||
      !MODEL_VERSION_PATTERN.test(version) ||
      !existsSync(dir)
    ) {
      throw new DetectionException(
        DetectionExceptionCode.MODEL_NOT_FOUND,
        `model ${name}/${version} not found in the registry`,
      );
    }
    return dir;
  }

  private async loadAtStart(): Promise<void> {
    for (const { name, versions } of servingOrder(
      this.root,
      await readActiveVersions(this.activeFile),
    )) {
      for (const version of versions) {
        try {
          await this.doActivate(name, version, false);
          break;
        } catch (error) {
          this.logger.error(`cannot serve model ${name}/${version}: ${(error as Error).message}`);
        }
      }
    }
  }

  private async persist(): Promise<void> {
    const active = Object.fromEntries(
      [...this.router.active()].map(([name, model]) => [name, model.metadata.version]),
    );
    await mkdir(join(this.activeFile, '..'), { recursive: true });
    const temp = `${this.activeFile}.tmp`;
    await writeFile(temp, `${JSON.stringify(active, null, 2)}\n`);
    await rename(temp, this.activeFile);
  }
}

/**
 * For each model name under `root`, the versions to try serving in order: the one activated last
 * (`active`, from DATA_DIR/active-models.json) first, then the newest down. The first that loads
 * serves (the registry at start, and the trainer's backtest, which must pick the same).
 */
export function servingOrder(
  root: string,
  active: Record<string, string>,
): { name: string; versions: string[] }[] {
  const byName = new Map<string, string[]>();
  for (const { name, version } of listModelDirs(root)) {
    byName.set(name, [...(byName.get(name) ?? []), version]);
  }
  return [...byName].map(([name, versions]) => {
    const ordered = versions.sort(compareVersions).reverse();
    const preferred = active[name];
    return {
      name,
      versions:
        preferred && ordered.includes(preferred)
          ? [preferred, ...ordered.filter((v) => v !== preferred)]
          : ordered,
    };
  });
}

/** The versions activated last, by name; {} when the file is missing or unreadable. */
export async function readActiveVersions(file: string): Promise<Record<string, string>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function toView(meta: ModelMetadata, active: boolean): ModelView {
  return {
    name: meta.name,
    version: meta.version,
    features: meta.features,
    windowSize: meta.windowSize,
    threshold: meta.threshold,
    normalization: meta.normalization.mode,
    evaluation: (meta.evaluation as ModelView['evaluation']) ?? null,
    createdAt: meta.createdAt,
    active,
  };
}
