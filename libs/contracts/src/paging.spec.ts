import { keyCursor, keyPageQuerySchema, pageByKey, toPage } from './paging';

describe(toPage.name, () => {
  const cursorOf = (last: number) => `after-${last}`;

  it('cuts the page at limit and names its last item when more follow', () => {
    expect(toPage([1, 2, 3, 4], 3, cursorOf)).toEqual({ items: [1, 2, 3], nextCursor: 'after-3' });
  });

  it('has no next cursor on the last page, full or not', () => {
    expect(toPage([1, 2, 3], 3, cursorOf)).toEqual({ items: [1, 2, 3], nextCursor: null });
    expect(toPage([], 3, cursorOf)).toEqual({ items: [], nextCursor: null });
  });
});

describe('keyPageQuerySchema', () => {
  it('defaults the limit and decodes the cursor to the key it names', () => {
    expect(keyPageQuerySchema.parse({})).toEqual({ limit: 50, after: undefined });
    expect(keyPageQuerySchema.parse({ limit: '2', cursor: keyCursor('dev-7') })).toEqual({
      limit: 2,
      after: 'dev-7',
    });
  });

  it('refuses a cursor it did not issue, a bad limit and unknown parameters', () => {
    for (const query of [
      { cursor: 'a' }, // decodes to no byte at all
      { cursor: 'not a cursor' },
      { limit: '0' },
      { limit: '1001' },
      { limit: 'ten' },
      { page: '2' },
    ]) {
      expect(keyPageQuerySchema.safeParse(query).success).toBe(false);
    }
  });
});

describe(pageByKey.name, () => {
  const keys = [{ id: 'c' }, { id: 'a' }, { id: 'd' }, { id: 'b' }];

  it('pages through every item once, in key order', () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = pageByKey(keys, (k) => k.id, { limit: 3, after });
      seen.push(...page.items.map((k) => k.id));
      if (page.nextCursor === null) break;
      after = keyPageQuerySchema.parse({ cursor: page.nextCursor }).after;
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });
});
