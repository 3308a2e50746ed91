import { WindowScore } from '../detector.port';
import { DeviceVerdict } from './device-subspace';
import { PER_VECTOR, STATISTICS } from './subspace-monitor';

/**
 * A reading the multivariate detector scored. Contributions are worked out only when asked for
 * (EpisodeTracker asks for windows over the threshold): each metric's part of the statistic that
 * gave the score, its value's and its step's parts together; a stuck metric takes it all.
 */
export class SubspaceWindow implements WindowScore {
  readonly score: number;
  source?: WindowScore['source'];
  private shares: WindowScore['contributions'] | undefined;

  constructor(private readonly verdict: DeviceVerdict) {
    this.score = verdict.score;
  }

  /** The statistic that gave the score ('stuck' for the stuck check). */
  get statistic(): string {
    return this.verdict.statistic < 0 ? 'stuck' : STATISTICS[this.verdict.statistic];
  }

  get contributions(): WindowScore['contributions'] {
    return (this.shares ??= contributionsOf(this.verdict));
  }
}

function contributionsOf(verdict: DeviceVerdict): WindowScore['contributions'] {
  const { names, stuck, statistic, z, ewma, basis } = verdict;
  if (stuck !== null) return [{ name: stuck, contribution: 1 }];
  const vector = statistic < PER_VECTOR ? z : ewma;
  const s = names.length;
  const perMetric = new Float64Array(s);
  if (vector !== null && statistic >= 0 && basis !== null) {
    const parts = basis.parts(statistic % PER_VECTOR, vector);
    for (let i = 0; i < s; i++) perMetric[i] = parts[i] + parts[s + i];
  }
  let total = 0;
  for (const part of perMetric) total += part;
  const contributions = names.map((name, i) => ({
    name,
    // Nothing to split (a reading exactly on its normal): share equally, so the sum stays 1.
    contribution: total > 0 ? perMetric[i] / total : 1 / s,
  }));
  contributions.sort((a, b) => b.contribution - a.contribution || a.name.localeCompare(b.name));
  return contributions;
}
