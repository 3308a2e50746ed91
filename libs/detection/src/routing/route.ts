import { ServedModel } from '../model/served-model';

/**
 * The model that scores a device (DESIGN.md, Models): the active model named after its profile;
 * else the model whose features all appear in the reading (the one with the most features wins,
 * then the name); else null, the z-score fallback.
 */
export function routeFor(
  profile: string | null,
  values: Record<string, number>,
  models: ReadonlyMap<string, ServedModel>,
): ServedModel | null {
  if (profile !== null) {
    const byProfile = models.get(profile);
    if (byProfile !== undefined) return byProfile;
  }
  let best: ServedModel | null = null;
  for (const model of models.values()) {
    const { features, name } = model.metadata;
    if (!features.every((f) => values[f] !== undefined)) continue;
    const bestFeatures = best?.metadata.features.length ?? -1;
    if (
      features.length > bestFeatures ||
      (features.length === bestFeatures && name < best!.metadata.name)
    ) {
      best = model;
    }
  }
  return best;
}
