import { WindowScore } from '../detector.port';

/**
 * Score of one window from its normalised input and the model's reconstruction: mean squared
 * error over every value of the window divided by the threshold (1.0 = threshold), and each
 * feature's share of the squared error as its contribution.
 */
export function reconstructionScore(
  input: ArrayLike<number>,
  output: ArrayLike<number>,
  offset: number,
  windowSize: number,
  features: readonly string[],
  threshold: number,
): WindowScore {
  const f = features.length;
  const perFeature = new Float64Array(f);
  let total = 0;
  for (let t = 0; t < windowSize; t++) {
    for (let i = 0; i < f; i++) {
      const d = input[offset + t * f + i] - output[offset + t * f + i];
      perFeature[i] += d * d;
      total += d * d;
    }
  }
  const mse = total / (windowSize * f);
  const contributions = features.map((name, i) => ({
    name,
    // An exact reconstruction: share equally, so the shares still sum to 1.
    contribution: total > 0 ? perFeature[i] / total : 1 / f,
  }));
  contributions.sort((a, b) => b.contribution - a.contribution || a.name.localeCompare(b.name));
  return { score: mse / threshold, contributions };
}
