import { InvalidArgumentError } from 'commander';

/** Option parsers that turn a bad value into commander's "error: option ... argument ... is invalid". */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

export function number(min: number, max: number, { exclusiveMin = false } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (exclusiveMin && n === min)) {
      throw new InvalidArgumentError(
        `must be a number ${exclusiveMin ? 'over' : 'from'} ${min} to ${max}`,
      );
    }
    return n;
  };
}

export function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('must be a comma-separated list');
  return items;
}

export function delimiter(value: string): string {
  const resolved = value === '\\t' || value === 'tab' ? '\t' : value;
  if (resolved.length !== 1) throw new InvalidArgumentError('must be one character (or \\t)');
  return resolved;
}

export function time(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('must be epoch ms or ISO 8601');
  return ms;
}
