/**
 * Parses a timestamp cell: epoch milliseconds (digits, optionally with a fraction) or ISO 8601
 * with or without a zone ("2014-02-14 14:30:00" is read as UTC). NaN when it is neither.
 */
export function parseTimestamp(text: string): number {
  const value = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  const iso = value.replace(' ', 'T');
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(iso);
  const dateOnly = /^\d{4}-\d\d-\d\d$/.test(iso);
  return Date.parse(hasZone || dateOnly ? iso : `${iso}Z`);
}
