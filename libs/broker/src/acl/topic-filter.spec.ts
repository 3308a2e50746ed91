import fc from 'fast-check';
import { filterCovers, filterProblem, filtersOverlap, topicMatches } from './topic-filter';

const level = fc.constantFrom('a', 'b', 'c');
const topicName = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join('/'));
const filter = fc
  .tuple(fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'));

describe('topic filters', () => {
  it.each([
    ['a/#', 'a', true], // MQTT 3.1.1 section 4.7.1.2: '#' includes the parent level
    ['a/#', 'a/b/c', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['+/+', 'a', false],
    ['#', 'a/b', true],
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
  ])('%s matches %s -> %s', (f, topic, expected) => {
    expect(topicMatches(f, topic)).toBe(expected);
  });

  it.each([
    ['a/#', 'a/+/c', true],
    ['a/+', 'a/#', false],
    ['+/b', 'a/b', true],
    ['a/b', 'a/+', false],
  ])('%s covers %s -> %s', (outer, inner, expected) => {
    expect(filterCovers(outer, inner)).toBe(expected);
  });

  it.each([
    ['a/#', 'a'],
    ['a/+', '+/b'],
    ['a/b/#', '+/+/c'],
  ])('%s overlaps %s', (x, y) => {
    expect(filtersOverlap(x, y)).toBe(true);
    expect(filtersOverlap(y, x)).toBe(true);
  });

  it.each([
    ['a/#/b', "'#'"],
    ['a/b#', "'#'"],
    ['a+/b', "'+'"],
    ['', 'empty'],
  ])('names the problem with %s', (f, words) => {
    expect(filterProblem(f)).toContain(words);
  });

  it('covering is sound: what the inner filter matches, the outer one matches', () => {
    fc.assert(
      fc.property(filter, filter, topicName, (outer, inner, topic) => {
        fc.pre(filterCovers(outer, inner) && topicMatches(inner, topic));
        return topicMatches(outer, topic);
      }),
      { numRuns: 2000 },
    );
  });

  it('a topic matched by two filters means they overlap', () => {
    fc.assert(
      fc.property(filter, filter, topicName, (x, y, topic) => {
        fc.pre(topicMatches(x, topic) && topicMatches(y, topic));
        return filtersOverlap(x, y) && filtersOverlap(y, x);
      }),
      { numRuns: 2000 },
    );
  });

  it('every topic covers and overlaps itself', () => {
    fc.assert(
      fc.property(
        filter,
        (f) => filterCovers(f, f) && filtersOverlap(f, f) && filterProblem(f) === null,
      ),
    );
  });
});
