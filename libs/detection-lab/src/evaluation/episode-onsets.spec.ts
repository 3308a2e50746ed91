import { episodeMask, episodeOnsets } from './episode-onsets';

describe('episodeOnsets', () => {
  const scores = [0, 2, 2, 0, 2, 0, 0, 0, 3, 0];

  it('raises one detection per episode, where it opens', () => {
    expect(episodeOnsets(scores, 1, 1, 2)).toEqual([1, 8]); // the dip at 3 does not close it
    expect(episodeOnsets(scores, 1, 1, 1)).toEqual([1, 4, 8]);
    expect(episodeOnsets(scores, 1, 2, 2)).toEqual([2]);
    expect(episodeOnsets(scores, 2.5, 1, 2)).toEqual([8]);
  });

  it('marks the rows of open episodes', () => {
    expect(Array.from(episodeMask([0, 2, 0, 0, 0], 1, 1, 2))).toEqual([0, 1, 1, 1, 0]);
  });
});
