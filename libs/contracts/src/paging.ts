import { z } from 'zod';

/** Every list route pages the same way: `limit` and `cursor` in, `{items, nextCursor}` out. */
export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 1000;
const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;
const NOT_OURS = 'is not a cursor returned by this API';

export const pageLimitSchema = z.coerce
  .number({ error: 'must be an integer' })
  .int()
  .min(1)
  .max(PAGE_LIMIT_MAX)
  .default(PAGE_LIMIT_DEFAULT)
  .describe(`items per page, 1..${PAGE_LIMIT_MAX}; default ${PAGE_LIMIT_DEFAULT}`);

/** A cursor as the client sends it back (opaque; the list that issued it decodes it). */
export const pageCursorSchema = z
  .string()
  .regex(CURSOR_PATTERN, NOT_OURS)
  .describe('nextCursor of the previous page');

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as cursor for the next page; null on the last one'),
  });
}

/**
 * The paging rule: `candidates` are in page order and hold the page plus at least one more item
 * when more exist (ask the source for limit + 1). The next cursor names the page's last item.
 */
export function toPage<T>(
  candidates: readonly T[],
  limit: number,
  cursorOf: (last: T) => string,
): Page<T> {
  const items = candidates.slice(0, limit);
  const more = candidates.length > limit;
  return { items, nextCursor: more ? cursorOf(items[items.length - 1]) : null };
}

/** The cursor of a list ordered by a string key: that key of the page's last item, base64url. */
export function keyCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** A cursor from keyCursor, decoded to its key (anything else is refused as not ours). */
const keyCursorSchema = pageCursorSchema.transform((cursor, ctx) => {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key === '' || keyCursor(key) !== cursor) {
    ctx.addIssue({ code: 'custom', message: NOT_OURS });
    return z.NEVER;
  }
  return key;
});

/** The query of a list ordered by a string key (devices by id, API keys by creation). */
export const keyPageQuerySchema = z
  .object({ limit: pageLimitSchema, cursor: keyCursorSchema.optional() })
  .strict()
  .transform(({ limit, cursor }) => ({ limit, after: cursor }));
/** `after`: the key of the previous page's last item; the page starts after it. */
export type KeyPageQuery = z.output<typeof keyPageQuerySchema>;

/**
 * One page of `items` (any order) by `keyOf`, ascending: for lists small enough to read whole.
 * Keys must be unique.
 */
export function pageByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  query: KeyPageQuery,
): Page<T> {
  const keyed = items
    .map((item) => ({ key: keyOf(item), item }))
    .filter(({ key }) => query.after === undefined || key > query.after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = toPage(keyed, query.limit, (last) => keyCursor(last.key));
  return { items: page.items.map(({ item }) => item), nextCursor: page.nextCursor };
}
