import { parse } from 'csv-parse/sync';
import { isoUtc } from '../time/day.js';
import type { KeyedRow } from '../transform/rows.js';

/**
 * The CSV text of a day file and its parsing back. Pure. Rows are written in the order given (the
 * caller sorts them), numbers as plain decimals, so that the same data always gives the same bytes.
 */

export type Cell = string | number;

export function formatCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return formatCsvRows([columns, ...rows]);
}

// RFC 4180 quoting, written out (csv-stringify did this until its cost showed up in bench/: day files
// are formatted row by row on the hot path, where it cost more than the transform itself). A
// field is quoted when it holds the delimiter, a quote or a line break ("\n", and "\r", which a CSV
// reader also takes for one); quotes inside are doubled.
const NEEDS_QUOTES = /[",\r\n]/;

function formatCell(cell: Cell): string {
  if (typeof cell === 'number') return formatNumber(cell);
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

function formatNumber(n: number): string {
  // Integers stay integers; fractions keep full precision without exponent notation where possible.
  // (String(n) of a safe integer is toFixed(0)'s text, at a fraction of its cost; above 2^53 it
  // rounds the digits, toFixed does not.)
  if (Number.isSafeInteger(n)) return String(n);
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}

/** Parses CSV text into its header and rows of strings; throws on malformed CSV. */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const records = parse(text, { relax_column_count: false, skip_empty_lines: false }) as string[][];
  const [header = [], ...rows] = records;
  return { header, rows };
}

/** CSV lines of rows without a header. */
function formatCsvRows(rows: readonly (readonly Cell[])[]): string {
  let out = '';
  for (const row of rows) out += `${row.map(formatCell).join(',')}\n`;
  return out;
}

/** The CSV lines (no header) of a day's rows, in the table's fixed column order. */
export function formatDayRows(rows: readonly KeyedRow[]): string {
  // Rows come bucket by bucket: each bucket's timestamp is formatted once, not once per row. Each
  // line is built as text, with no array per row in between: this runs once per row written.
  let time = Number.NaN;
  let stamp = '';
  let out = '';
  for (const r of rows) {
    if (r.time !== time) {
      time = r.time;
      stamp = isoUtc(time);
    }
    let line = stamp;
    for (const key of r.keys) line += `,${formatCell(key)}`;
    for (const m of r.metrics) line += m === null ? ',' : `,${formatNumber(m)}`;
    out += `${line}\n`;
  }
  return out;
}
