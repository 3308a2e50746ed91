// The REST API with the operator's key, sent as an Authorization header only.
const STORAGE_KEY = 'iag.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(STORAGE_KEY);
  },
  set key(value) {
    if (value) sessionStorage.setItem(STORAGE_KEY, value);
    else sessionStorage.removeItem(STORAGE_KEY);
  },
  /** {name, role} of the key, set at sign-in. */
  principal: null,
  can(role) {
    const order = ['viewer', 'operator', 'admin'];
    return order.indexOf(this.principal?.role) >= order.indexOf(role);
  },
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Called when the key stops working (revoked, or the gateway's data was reset). */
let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export async function api(path, { method = 'GET', key = session.key } = {}) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (response.status === 401 && key === session.key) onUnauthorized();
  if (!response.ok) throw new ApiError(response.status, body?.message ?? response.statusText);
  return body;
}

/** Every item of a paged list route ({items, nextCursor}), page after page. */
export async function allPages(path, params = {}) {
  const items = [];
  let cursor;
  do {
    const page = await api(`${path}${query({ ...params, limit: 1000, cursor })}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(name, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}
