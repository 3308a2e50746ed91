/**
 * Rows where the gateway would raise an alert: the EpisodeTracker's rule (open after `openAfter`
 * consecutive rows over the threshold, close after `closeAfter` rows at or under it), applied to
 * raw scores at a candidate threshold. One detection per episode, at the row it opens.
 */
export function episodeOnsets(
  scores: ArrayLike<number>,
  threshold: number,
  openAfter: number,
  closeAfter: number,
): number[] {
  const onsets: number[] = [];
  let open = false;
  let streak = 0;
  for (let i = 0; i < scores.length; i++) {
    const over = scores[i] > threshold;
    if (!open) {
      streak = over ? streak + 1 : 0;
      if (streak >= openAfter) {
        onsets.push(i);
        open = true;
        streak = 0;
      }
    } else {
      streak = over ? 0 : streak + 1;
      if (streak >= closeAfter) {
        open = false;
        streak = 0;
      }
    }
  }
  return onsets;
}

/** 1 for every row while an episode is open (from its onset row to the row before it closes). */
export function episodeMask(
  scores: ArrayLike<number>,
  threshold: number,
  openAfter: number,
  closeAfter: number,
): Uint8Array {
  const mask = new Uint8Array(scores.length);
  const onsets = episodeOnsets(scores, threshold, openAfter, closeAfter);
  for (const onset of onsets) {
    let quiet = 0;
    for (let i = onset; i < scores.length; i++) {
      mask[i] = 1;
      quiet = scores[i] > threshold ? 0 : quiet + 1;
      if (quiet >= closeAfter) break;
    }
  }
  return mask;
}
