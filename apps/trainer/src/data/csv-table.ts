import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TrainerError } from '../trainer-error';

/**
 * A record by column name, with its line for errors: the header is line 1, the first record line
 * 2 (csv-parse's own line count costs the parse about half its speed).
 */
export interface CsvRecord {
  record: Record<string, string>;
  line: number;
}

/** What reads a CSV file as it streams: the header first, then each record in file order. */
export interface CsvConsumer {
  header(columns: string[]): void;
  record(record: CsvRecord): void;
}

/**
 * Streams a CSV file with a header row through csv-parse's streaming parser into `consumer`:
 * neither the text nor the records are held, so memory is what the consumer keeps. A throw from
 * the consumer stops the read and rejects with it.
 */
export async function streamCsv(path: string, delimiter: string, consumer: CsvConsumer): Promise<void> {
  const parser = parse({
    delimiter,
    columns: (header: string[]) => {
      const columns = header.map((c) => c.trim());
      consumer.header(columns);
      return columns;
    },
    skip_empty_lines: true,
    trim: true,
    bom: true,
  });
  let line = 1;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(record: Record<string, string>, _encoding, done) {
      try {
        consumer.record({ record, line: ++line });
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  try {
    await pipeline(createReadStream(path), parser, sink);
  } catch (error) {
    if (error instanceof TrainerError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && !code.startsWith('CSV_')) {
      throw new TrainerError(`cannot read ${path}: ${code}`);
    }
    throw new TrainerError(`${path} is not valid CSV: ${(error as Error).message}`);
  }
}

/** Every record of a small file at once (NAB series). */
export async function readCsvRows(
  path: string,
  delimiter: string,
): Promise<{ columns: string[]; rows: Record<string, string>[] }> {
  let columns: string[] = [];
  const rows: Record<string, string>[] = [];
  await streamCsv(path, delimiter, {
    header: (names) => (columns = names),
    record: ({ record }) => rows.push(record),
  });
  return { columns, rows };
}
