import { topFrames } from './cpu-profile.mjs';

describe('topFrames', () => {
  it('charges each sample to its own frame and sorts by self time', () => {
    const frame = (id, functionName, url = '') => ({
      id,
      callFrame: { functionName, url, lineNumber: 9 },
    });
    const profile = {
      nodes: [
        frame(1, '(root)'),
        frame(2, 'parse', 'file:///x/a.js'),
        frame(3, 'write', 'file:///x/b.js'),
      ],
      samples: [2, 2, 3, 2],
      timeDeltas: [0, 100, 100, 100],
    };
    const top = topFrames(profile);
    expect(top.map((f) => f.frame)).toEqual(['parse /x/a.js:10', 'write /x/b.js:10']);
    // a sample is charged the interval up to the next one; the last one repeats the previous interval
    expect(top[0].selfMs).toBeCloseTo(0.3);
    expect(top[0].percent).toBeCloseTo(75);
  });
});
