import { WindowScore } from '../detector.port';

/**
 * Score of one window from its squared reconstruction error per feature (summed over the window,
 * at errors[offset...]): the mean squared error over every value of the window divided by the
 * threshold (1.0 = threshold), and each feature's share of the squared error as its contribution.
 */
export function reconstructionScore(
  errors: ArrayLike<number>,
  offset: number,
  windowSize: number,
  features: readonly string[],
  threshold: number,
): WindowScore {
  const mse = meanSquaredError(errors, offset, windowSize, features.length);
  return reconstructionWindow(errors, offset, features, mse / threshold);
}

/** The window's mean squared reconstruction error over all its values. */
export function meanSquaredError(
  errors: ArrayLike<number>,
  offset: number,
  windowSize: number,
  featureCount: number,
): number {
  let total = 0;
  for (let i = 0; i < featureCount; i++) total += errors[offset + i];
  return total / (windowSize * featureCount);
}

/** A window already judged (`score`, 1.0 = threshold), explained by its errors at errors[offset...]. */
export function reconstructionWindow(
  errors: ArrayLike<number>,
  offset: number,
  features: readonly string[],
  score: number,
): WindowScore {
  let total = 0;
  for (let i = 0; i < features.length; i++) total += errors[offset + i];
  return new ReconstructionWindow(score, total, errors, offset, features);
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
    private readonly total: number,
    private readonly errors: ArrayLike<number>,
    private readonly offset: number,
    private readonly features: readonly string[],
  ) {}

  get contributions(): WindowScore['contributions'] {
    return (this.shares ??= this.sharesOfError());
  }

  private sharesOfError(): WindowScore['contributions'] {
    const { total, errors, offset, features } = this;
    const contributions = features.map((name, i) => ({
      name,
      // An exact reconstruction: share equally, so the shares still sum to 1.
      contribution: total > 0 ? errors[offset + i] / total : 1 / features.length,
    }));
    contributions.sort((a, b) => b.contribution - a.contribution || a.name.localeCompare(b.name));
    return contributions;
  }
}
