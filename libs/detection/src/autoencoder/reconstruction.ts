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
    const row = offset + t * f;
    for (let i = 0; i < f; i++) {
      const d = input[row + i] - output[row + i];
      perFeature[i] += d * d;
      total += d * d;
    }
  }
  return new ReconstructionWindow(
    total / (windowSize * f) / threshold,
    perFeature,
    total,
    features,
  );
}

/**
 * A scored window. Its contributions are worked out only when asked for: almost every window is
 * quiet, and EpisodeTracker reads them only for windows over the threshold or in an episode.
 */
class ReconstructionWindow implements WindowScore {
  source?: WindowScore['source'];
  private shares: WindowScore['contributions'] | undefined;

  constructor(
    readonly score: number,
    private readonly perFeature: Float64Array,
    private readonly total: number,
    private readonly features: readonly string[],
  ) {}

  get contributions(): WindowScore['contributions'] {
    return (this.shares ??= this.sharesOfError());
  }

  private sharesOfError(): WindowScore['contributions'] {
    const { perFeature, total, features } = this;
    const contributions = features.map((name, i) => ({
      name,
      // An exact reconstruction: share equally, so the shares still sum to 1.
      contribution: total > 0 ? perFeature[i] / total : 1 / features.length,
    }));
    contributions.sort((a, b) => b.contribution - a.contribution || a.name.localeCompare(b.name));
    return contributions;
  }
}
