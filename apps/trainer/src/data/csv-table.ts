import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { TrainerError } from '../trainer-error';

/** A CSV file with a header row, as records by column name (csv-parse). */
export function readCsvRows(
  path: string,
  delimiter: string,
): { columns: string[]; rows: Record<string, string>[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TrainerError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, {
      delimiter,
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as Record<string, string>[];
  } catch (error) {
    throw new TrainerError(`${path} is not valid CSV: ${(error as Error).message}`);
  }
  const header = text.split(/\r?\n/, 1)[0].replace(/^\uFEFF/, '');
  const columns = header.split(delimiter).map((c) => c.trim().replace(/^"|"$/g, ''));
  return { columns, rows };
}
