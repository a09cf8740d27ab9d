import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';

/**
 * The CSV text of a day file and its parsing back. Pure. Rows are written in the order given (the
 * caller sorts them), numbers as plain decimals, so that the same data always gives the same bytes.
 */

export type Cell = string | number;

export function formatCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return stringify([columns as Cell[], ...(rows as Cell[][])], { record_delimiter: '\n', cast: { number: formatNumber } });
}

function formatNumber(n: number): string {
  // Integers stay integers; fractions keep full precision without exponent notation where possible.
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}

/** Parses CSV text into its header and rows of strings; throws on malformed CSV. */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const records = parse(text, { relax_column_count: false, skip_empty_lines: false }) as string[][];
  const [header = [], ...rows] = records;
  return { header, rows };
}

/** CSV lines of rows without a header, for a file written in pieces. */
export function formatCsvRows(rows: readonly (readonly Cell[])[]): string {
  return rows.length === 0 ? '' : stringify(rows as Cell[][], { record_delimiter: '\n', cast: { number: formatNumber } });
}
