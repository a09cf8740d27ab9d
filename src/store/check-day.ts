import { parseCsv } from './csv.js';
import { isTimeSeries, tableColumns } from './layout.js';
import { bucketStarts, isoUtc, type DayRange } from '../time/day.js';
import { DataError } from '../errors.js';
import { isAdditive } from '../config/metric-rules.js';
import { bucketMinutesOf, type TableConfig } from '../config/schema.js';

/**
 * Is a day file what netlog would have written? The "97 lines" rule of the old job, done properly:
 * the right header, every row parsable with a timestamp inside the day on a 15-minute boundary,
 * numeric metrics, and for a time series exactly one row per bucket of the day (96, or 92/100 on a
 * daylight-saving change day). Pure: the caller reads the file.
 */

/** The verdict on a table's day, one word (drift: the file's totals differ from Elasticsearch's now). */
type DayStatus = 'ok' | 'missing' | 'incomplete' | 'corrupt' | 'partial' | 'drift' | 'unsafe';

/** The verdict on a day file's text alone. */
export interface DayCheck {
  readonly status: DayStatus;
  /** One line for the operator; empty when ok. */
  readonly detail: string;
  /** Totals of the additive metrics (count, sums) when the file parsed. */
  readonly totals?: Record<string, number>;
  readonly rows?: number;
}

/**
 * The check of the file stored for a table's day, with where it is: a DayCheck is the verdict on a
 * file's text alone, this one also covers a file that is missing, only partial or unsafe to read.
 */
export interface StoredDayCheck extends DayCheck {
  readonly table: string;
  readonly day: string;
  readonly path: string;
}

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/;
const NUMBER_RE = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;

export function checkDayFile(text: string, table: TableConfig, range: DayRange): DayCheck {
  return parseDayFile(text, table, range).check;
}

/**
 * Parses and checks a day file's text at once: the check, and the file's records (the rows after the
 * header, as strings) when it is ok, so that a reader of the data parses each file once.
 */
export function parseDayFile(
  text: string,
  table: TableConfig,
  range: DayRange,
): { check: DayCheck; records?: string[][] } {
  let parsed: { header: string[]; rows: string[][] };
  try {
    parsed = parseCsv(text);
  } catch (err) {
    return {
      check: { status: 'corrupt', detail: `not valid CSV (${(err as Error).message.split('\n')[0]})` },
    };
  }
  const check = checkRecords(text, parsed, table, range);
  return check.status === 'ok' ? { check, records: parsed.rows } : { check };
}

function checkRecords(
  text: string,
  parsed: { header: string[]; rows: string[][] },
  table: TableConfig,
  range: DayRange,
): DayCheck {
  const columns = tableColumns(table);
  if (parsed.header.join(',') !== columns.join(',')) {
    return {
      status: 'corrupt',
      detail: `bad header "${parsed.header.join(',')}", expected "${columns.join(',')}"`,
    };
  }
  if (!text.endsWith('\n')) return { status: 'corrupt', detail: 'truncated: the last line has no line end' };
  const metricStart = 1 + table.levels.length;
  const totals: Record<string, number> = {};
  const additive = table.metrics.map(isAdditive);
  table.metrics.forEach((m, i) => additive[i] && (totals[m.name] = 0));
  const minutes = bucketMinutesOf(table);
  const bucketMs = minutes * 60_000;
  for (const [i, row] of parsed.rows.entries()) {
    const line = i + 2;
    const ts = row[0] ?? '';
    const t = Date.parse(ts);
    if (!TIMESTAMP_RE.test(ts) || Number.isNaN(t))
      return { status: 'corrupt', detail: `line ${line}: "${ts}" is not an ISO-8601 UTC timestamp` };
    if (t < range.start.getTime() || t >= range.end.getTime())
      return { status: 'corrupt', detail: `line ${line}: ${ts} is not inside ${range.day}` };
    if ((t - range.start.getTime()) % bucketMs !== 0)
      return {
        status: 'corrupt',
        detail: `line ${line}: ${ts} is not on a ${minutes}-minute boundary`,
      };
    for (const [k, m] of table.metrics.entries()) {
      const cell = row[metricStart + k] ?? '';
      // A maximum or minimum of an empty bucket has no value; a count or a sum is 0 there.
      if (cell === '' && !additive[k]) continue;
      if (!NUMBER_RE.test(cell))
        return { status: 'corrupt', detail: `line ${line}: ${m.name} "${cell}" is not a number` };
      if (m.type === 'count' && !/^\d+$/.test(cell))
        return { status: 'corrupt', detail: `line ${line}: ${m.name} "${cell}" is not a whole count` };
      if (additive[k]) totals[m.name]! += Number(cell);
    }
  }
  if (isTimeSeries(table)) {
    const starts = bucketStarts(range).map((d) => isoUtc(d));
    const got = parsed.rows.map((r) => r[0]);
    if (got.length !== starts.length || got.some((ts, i) => ts !== starts[i])) {
      const missing = starts.filter((s) => !got.includes(s));
      return {
        status: 'incomplete',
        detail: `${got.length} of ${starts.length} buckets${missing.length ? ` (first missing ${missing[0]})` : ' (duplicated or out of order)'}`,
        totals,
        rows: got.length,
      };
    }
  }
  return { status: 'ok', detail: '', totals, rows: parsed.rows.length };
}

/** Compares a file's totals with Elasticsearch's for the same day: a difference is drift (late logs). */
export function compareTotals(
  stored: Record<string, number>,
  live: Record<string, number>,
): string | undefined {
  const diffs = Object.keys(live)
    .filter((k) => stored[k] !== live[k])
    .map((k) => `${k} stored ${stored[k] ?? 'none'}, Elasticsearch ${live[k]}`);
  return diffs.length > 0 ? diffs.join('; ') : undefined;
}

/**
 * The same rule for a day file being written: a complete time-series day comes as exactly the day's
 * buckets, in order, one row each. Fed the rows' times as they are written; throws a DataError at the
 * first wrong bucket and, in `end`, when buckets are missing. Other tables, and partial days (which
 * hold only the buckets that have started), are not checked. Pure.
 */
export class BucketSequenceCheck {
  private readonly expected: readonly number[] | undefined;
  private seen = 0;

  constructor(
    private readonly table: Pick<TableConfig, 'name' | 'levels'>,
    private readonly range: DayRange,
    partial: boolean,
  ) {
    this.expected = isTimeSeries(table) && !partial ? bucketStarts(range).map((d) => d.getTime()) : undefined;
  }

  add(times: readonly number[]): void {
    if (this.expected === undefined) return;
    for (const t of times) {
      if (t !== this.expected[this.seen]) throw this.error(`an unexpected bucket ${isoUtc(t)}`);
      this.seen++;
    }
  }

  end(): void {
    if (this.expected !== undefined && this.seen !== this.expected.length) throw this.error(`${this.seen}`);
  }

  private error(got: string): DataError {
    return new DataError(
      `${this.table.name} ${this.range.day}: expected ${this.expected!.length} buckets from ${isoUtc(this.range.start)}, got ${got}`,
    );
  }
}
