import { Evidence, ScoreSource, WindowScore } from '../detector.port';

/**
 * The combination rule (README "Detection"): a reading scored by more than one detector gets
 * the highest of their normalised scores (each is 1.0 at its own detector's threshold), with
 * that detector's contributions and name; every score is kept as evidence, so the episode can
 * say which detectors fired and how high. One reading, one score: one episode per device.
 */
export function combine(
  primary: WindowScore | null,
  primarySource: ScoreSource | null,
  secondary: WindowScore | null,
  secondarySource: ScoreSource,
): WindowScore | null {
  if (primary === null) return secondary === null ? null : mark(secondary, secondarySource);
  const first = mark(primary, primarySource!);
  if (secondary === null) return first;
  const second = mark(secondary, secondarySource);
  return new CombinedScore([
    { source: first.source!, score: first.score, window: first },
    { source: second.source!, score: second.score, window: second },
  ]);
}

/** Marks in place: a copy would also force the lazy contributions of every quiet reading. */
function mark(score: WindowScore, source: ScoreSource): WindowScore {
  if (score.source === undefined) score.source = source;
  return score;
}

class CombinedScore implements WindowScore {
  readonly score: number;
  readonly source: ScoreSource;
  readonly evidence: Evidence[];
  private readonly top: WindowScore;

  constructor(parts: (Evidence & { window: WindowScore })[]) {
    let top = parts[0];
    for (const part of parts) if (part.score > top.score) top = part;
    this.top = top.window;
    this.score = top.score;
    this.source = top.source;
    this.evidence = parts.map(({ source, score }) => ({ source, score }));
  }

  get contributions(): WindowScore['contributions'] {
    return this.top.contributions;
  }
}
