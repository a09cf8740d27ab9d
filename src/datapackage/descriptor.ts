import { z } from 'zod';
import {
  INTERVALS,
  bucketMinutesOf,
  levelSchema,
  metricFields,
  metricSchema,
  type Config,
  type Interval,
  type Level,
  type Metric,
  type TableConfig,
} from '../config/schema.js';
import { formatIssue } from '../config/validate.js';
import { TABLE_NAME_RE } from '../config/table-name.js';
import { BUCKET_MINUTES, daysBetween, isValidTimeZone } from '../time/day.js';
import type { DayFileRef } from '../store/layout.js';
import { OTHER_KEY, type RowBound } from '../transform/row-bound.js';

/**
 * The data repository's own description: `datapackage.json`, a Frictionless Data Package (v2) with one
 * resource per table (its day files as the `path` list, a Table Schema with each column's type, unit
 * and meaning), and a `netlog` block recording the settings the files were made with — the time zone
 * whose days they are, the tables' columns, the pseudonym scheme. Analysis reads the zone and tables
 * from there (a plain clone is enough), and a writing run whose settings contradict it refuses. Pure.
 */

export const DATA_PACKAGE_FILE = 'datapackage.json';
export const PSEUDONYM_FILE = 'pseudonym.json';

const PROFILE = 'https://datapackage.org/profiles/2.0';

/** What a table's files are made of: enough to read them and to tell whether a config agrees. */
export interface RecordedTable {
  readonly name: string;
  readonly description: string;
  readonly levels: readonly Level[];
  readonly metrics: readonly Metric[];
  /** `1h` for an hourly flow table; absent: 15-minute buckets. */
  readonly interval?: Interval;
  /** The row bound the files were written with; absent: every row. */
  readonly row_bound?: RowBound;
}

/** The settings recorded in the `netlog` block. */
export interface RecordedSettings {
  readonly timezone: string;
  readonly bucket_minutes: number;
  readonly pseudonym: { readonly algorithm: 'hmac-sha256' | 'sha1'; readonly length: number };
  readonly tables: readonly RecordedTable[];
}

/** `<data>/pseudonym.json`: the key's fingerprint, written by the run that pseudonymises. */
export interface KeyRecord {
  readonly algorithm: string;
  readonly length: number;
  readonly fingerprint: string;
  readonly epochs: readonly unknown[];
}

// The repository's contents are input like any other: the block is parsed, never trusted.
const recordedTableSchema = z.object({
  name: z.string().regex(TABLE_NAME_RE),
  description: z.string().default(''),
  levels: z.array(levelSchema).max(4),
  metrics: z.array(metricSchema).min(1),
  interval: z.enum(INTERVALS).optional(),
  row_bound: z.object({ top: z.number().int().min(1), by: z.string().min(1) }).optional(),
});

const recordedSchema = z.object({
  version: z.string().optional(),
  timezone: z.string().refine(isValidTimeZone, { message: 'not a time zone' }),
  bucket_minutes: z.literal(BUCKET_MINUTES),
  pseudonym: z.object({
    algorithm: z.enum(['hmac-sha256', 'sha1']),
    length: z.number().int().min(8).max(64),
  }),
  tables: z.array(recordedTableSchema).min(1),
});

export const keyRecordSchema = z.object({
  algorithm: z.string().min(1),
  length: z.number().int().min(1),
  fingerprint: z.string().regex(/^[0-9a-f]{8,128}$/, 'hex'),
  epochs: z.array(z.unknown()).default([]),
});

/** The recorded settings of a parsed datapackage.json, or the problems that make it unusable. */
export function readRecordedSettings(
  descriptor: unknown,
): { settings: RecordedSettings } | { error: string } {
  const block = (descriptor as { netlog?: unknown } | null)?.netlog;
  if (typeof descriptor !== 'object' || descriptor === null || block === undefined)
    return { error: 'it has no "netlog" block (not written by netlog)' };
  const parsed = recordedSchema.safeParse(block);
  if (!parsed.success)
    return {
      error: parsed.error.issues.map((i) => formatIssue({ ...i, path: ['netlog', ...i.path] })).join('; '),
    };
  const { timezone, bucket_minutes, pseudonym, tables } = parsed.data;
  return {
    settings: {
      timezone,
      bucket_minutes,
      pseudonym,
      // Optional keys only when present, so the record round-trips to the same bytes.
      tables: tables.map(({ interval, row_bound, ...t }) => ({
        ...t,
        ...(interval !== undefined && { interval }),
        ...(row_bound !== undefined && { row_bound }),
      })),
    },
  };
}

/** The settings a config writes with. */
export function settingsOf(config: Pick<Config, 'timezone' | 'pseudonym' | 'tables'>): RecordedSettings {
  return {
    timezone: config.timezone,
    bucket_minutes: BUCKET_MINUTES,
    pseudonym: { algorithm: config.pseudonym.algorithm, length: config.pseudonym.length },
    tables: config.tables.map(recordTable),
  };
}

function recordTable(
  t: Pick<TableConfig, 'name' | 'description' | 'levels' | 'metrics' | 'interval' | 'row_bound'>,
): RecordedTable {
  // Recorded only when set: a repository without them keeps its datapackage.json's bytes.
  return {
    name: t.name,
    description: t.description,
    levels: t.levels,
    metrics: t.metrics,
    ...(t.interval !== undefined && t.interval !== '15m' && { interval: t.interval }),
    ...(t.row_bound !== undefined && { row_bound: { top: t.row_bound.top, by: t.row_bound.by } }),
  };
}

/** The columns of a recorded table, in their fixed order. */
export function recordedColumns(t: Pick<RecordedTable, 'levels' | 'metrics'>): string[] {
  return ['timestamp', ...t.levels.map((l) => l.column), ...t.metrics.map((m) => m.name)];
}

/**
 * Where `current` contradicts `recorded`, one phrase each (empty when they agree). A table only one of
 * them has is no contradiction (a table added or no longer loaded); the same table with other columns,
 * other transforms or other metrics is, as are another zone and another pseudonym scheme: the files
 * already written would mean something else than the new ones.
 */
export function settingsDifferences(recorded: RecordedSettings, current: RecordedSettings): string[] {
  const out: string[] = [];
  if (recorded.timezone !== current.timezone)
    out.push(`timezone ${recorded.timezone} (this run: ${current.timezone})`);
  if (recorded.bucket_minutes !== current.bucket_minutes)
    out.push(`${recorded.bucket_minutes}-minute buckets (this run: ${current.bucket_minutes})`);
  const { algorithm, length } = recorded.pseudonym;
  if (algorithm !== current.pseudonym.algorithm || length !== current.pseudonym.length)
    out.push(
      `pseudonyms ${algorithm}/${length} (this run: ${current.pseudonym.algorithm}/${current.pseudonym.length})`,
    );
  const now = new Map(current.tables.map((t) => [t.name, t]));
  for (const was of recorded.tables) {
    const is = now.get(was.name);
    if (!is) continue;
    const a = tableShape(was);
    const b = tableShape(is);
    if (a !== b) out.push(`table ${was.name} as ${a} (this run: ${b})`);
  }
  return out;
}

/**
 * A table's columns with their transforms and metric kinds, `timestamp,source(ip),count(count)`, and
 * its bucket size and row bound when set (`timestamp(1h)`, `… top 500 by bytes`): files with other
 * buckets or another bound mean something else.
 */
function tableShape(t: Pick<RecordedTable, 'levels' | 'metrics' | 'interval' | 'row_bound'>): string {
  const bound = t.row_bound ? ` top ${t.row_bound.top} by ${t.row_bound.by}` : '';
  return (
    [
      t.interval === '1h' ? 'timestamp(1h)' : 'timestamp',
      ...t.levels.map((l) => `${l.column}(${l.transform})`),
      ...t.metrics.map(
        (m) => `${m.name}(${m.type === 'count' ? 'count' : `${m.type} ${metricFields(m).join('+')}`})`,
      ),
    ].join(',') + bound
  );
}

/**
 * The tables a read-only command works on when no config is given: the recorded ones, with what
 * reading needs. They carry no index or filters, so nothing may query Elasticsearch with them.
 */
export function tablesFromRecord(settings: RecordedSettings): TableConfig[] {
  return settings.tables.map((t) => ({
    name: t.name,
    description: t.description,
    index: '',
    time_field: '@timestamp',
    filters: [],
    metrics: [...t.metrics],
    levels: [...t.levels],
    aggregation: 'composite',
    terms_size: 1000,
    ...(t.interval !== undefined && { interval: t.interval }),
    ...(t.row_bound !== undefined && { row_bound: t.row_bound }),
  }));
}

/** The configured tables, then recorded ones the config no longer has (their files stay described). */
export function mergeTables(
  current: readonly RecordedTable[],
  recorded: readonly RecordedTable[] | undefined,
): RecordedTable[] {
  const names = new Set(current.map((t) => t.name));
  return [...current, ...(recorded ?? []).filter((t) => !names.has(t.name))];
}

export interface PackageInput {
  /** netlog's version. */
  readonly version: string;
  readonly settings: RecordedSettings;
  /** Every day file in the data directory (of any table; only the settings' tables are described). */
  readonly files: readonly DayFileRef[];
  readonly key?: KeyRecord | undefined;
}

/** One day-file table: the resource's name, its days, the partial ones, the coverage. */
interface TableFiles {
  readonly complete: string[];
  readonly partial: string[];
}

/**
 * The datapackage.json descriptor. Only tables with at least one complete day file get a resource (a
 * resource's `path` may not be empty); the `netlog` block records every table. Nothing in it depends
 * on the clock, so the same files and settings always give the same bytes.
 */
export function buildDataPackage(input: PackageInput): Record<string, unknown> {
  const { settings } = input;
  const byTable = new Map<string, TableFiles>();
  for (const f of input.files) {
    const entry = byTable.get(f.table) ?? byTable.set(f.table, { complete: [], partial: [] }).get(f.table)!;
    (f.partial ? entry.partial : entry.complete).push(f.day);
  }
  const resources = [];
  let first: string | undefined;
  let last: string | undefined;
  for (const table of settings.tables) {
    const files = byTable.get(table.name);
    if (!files || files.complete.length === 0) continue;
    const days = [...new Set(files.complete)].sort();
    const from = days[0]!;
    const to = days.at(-1)!;
    if (first === undefined || from < first) first = from;
    if (last === undefined || to > last) last = to;
    const present = new Set(days);
    resources.push({
      name: table.name,
      type: 'table',
      title: table.name,
      description: tableDescription(table, settings.timezone),
      path: days.map((d) => `${table.name}/${d.slice(0, 4)}/${d}.csv`),
      scheme: 'file',
      format: 'csv',
      mediatype: 'text/csv',
      encoding: 'utf-8',
      dialect: { $schema: `${PROFILE}/tabledialect.json`, header: true, delimiter: ',' },
      schema: tableSchemaOf(table, settings),
      netlog: {
        first_day: from,
        last_day: to,
        days: days.length,
        missing_days: daysBetween(from, to).filter((d) => !present.has(d)),
        partial_days: [...new Set(files.partial)].sort(),
      },
    });
  }
  const pseudonym = {
    ...settings.pseudonym,
    ...(input.key && { fingerprint: input.key.fingerprint, epochs: input.key.epochs }),
  };
  return {
    $schema: `${PROFILE}/datapackage.json`,
    name: 'netlog-data',
    title: 'Network traffic in 15-minute buckets (netlog)',
    description:
      `Network log events counted per ${BUCKET_MINUTES}-minute bucket${hourlyNote(settings.tables)}, one CSV file per table and per day ` +
      `(days of the time zone ${settings.timezone}), with every IP address replaced by a keyed pseudonym. ` +
      'Written by netlog from Elasticsearch; see README.md.',
    resources,
    netlog: {
      version: input.version,
      timezone: settings.timezone,
      bucket_minutes: settings.bucket_minutes,
      pseudonym,
      tables: settings.tables,
      coverage: { first_day: first ?? null, last_day: last ?? null },
    },
  };
}

/** The JSON text of a descriptor: two-space indented, one trailing newline. */
export function formatDataPackage(descriptor: Record<string, unknown>): string {
  return `${JSON.stringify(descriptor, null, 2)}\n`;
}

/** ` (per hour for t1, t2)` when some tables have hourly buckets, else nothing. */
function hourlyNote(tables: readonly RecordedTable[]): string {
  const hourly = tables.filter((t) => t.interval === '1h').map((t) => t.name);
  return hourly.length > 0 ? ` (per hour for ${hourly.join(', ')})` : '';
}

/** What a bucket of the table is: "15-minute bucket" or "hourly bucket". */
function bucketWords(table: Pick<RecordedTable, 'interval'>): string {
  return table.interval === '1h' ? 'hourly bucket' : `${BUCKET_MINUTES}-minute bucket`;
}

/**
 * What the row bound does, for analysts; empty without one. Shared by the descriptor and README.md.
 */
export function rowBoundText(table: Pick<RecordedTable, 'row_bound' | 'metrics'>): string {
  const b = table.row_bound;
  if (b === undefined) return '';
  const hasMaxMin = table.metrics.some((m) => m.type === 'max' || m.type === 'min');
  return (
    `At most ${b.top + 1} rows per bucket: the ${b.top} keys with the largest ${b.by} (on a tie, the key that sorts first), ` +
    `then, last in the bucket, one row whose key columns all read "${OTHER_KEY}" holding everything else of that bucket (counts and sums added` +
    `${hasMaxMin ? "; its max and min are those of the folded rows, so the bucket's max and min over all its rows are exact" : ''}). ` +
    `Per bucket, the totals over all rows are exact; a key's own series misses its buckets outside the top ${b.top} ` +
    `(they are in "${OTHER_KEY}"), and how many keys were folded is not kept. "${OTHER_KEY}" is never a real key ` +
    '(no pseudonym, domain or name holds parentheses).'
  );
}

function tableDescription(table: RecordedTable, timezone: string): string {
  const what = table.description || `the ${table.name} table`;
  const rows =
    table.levels.length === 0
      ? `one row per ${BUCKET_MINUTES}-minute bucket of the day, zeros included (96 a day; 92 or 100 on daylight-saving change days)`
      : `one row per ${bucketWords(table)} and ${table.levels.map((l) => l.column).join(' × ')} with traffic` +
        (table.interval === '1h' ? ' (24 buckets a day; 23 or 25 on daylight-saving change days)' : '');
  const bound = rowBoundText(table);
  return `${what}. One file per day of ${timezone}: ${rows}.${bound ? ` ${bound}` : ''}`;
}

/** The Table Schema of a table: its columns in file order, typed, with units and meaning. */
export function tableSchemaOf(table: RecordedTable, settings: RecordedSettings): Record<string, unknown> {
  const keys = table.levels.map((l) => l.column);
  return {
    $schema: `${PROFILE}/tableschema.json`,
    fields: [
      {
        name: 'timestamp',
        type: 'datetime',
        title: 'bucket start',
        description: `start of the ${bucketWords(table)}, ISO-8601 in UTC (e.g. ${table.interval === '1h' ? '2026-11-24T01:00:00Z' : '2026-11-24T00:15:00Z'}); the bucket covers [timestamp, timestamp + ${bucketMinutesOf(table)} min)`,
        constraints: { required: true },
      },
      ...table.levels.map((l) => levelField(l, settings, table.row_bound !== undefined)),
      ...table.metrics.map(metricField),
    ],
    primaryKey: ['timestamp', ...keys],
    missingValues: [''],
  };
}

function levelField(level: Level, settings: RecordedSettings, bounded: boolean): Record<string, unknown> {
  const from = `from ${level.fields.join(', else ')}`;
  const { algorithm, length } = settings.pseudonym;
  const pseudonym =
    algorithm === 'hmac-sha256'
      ? `the first ${length} hex characters of HMAC-SHA256(key, address)`
      : `the first ${length} hex characters of SHA-1(address), unkeyed`;
  const descriptions: Record<Level['transform'], string> = {
    ip: `pseudonym of the address (${from}): ${pseudonym}; empty when the event had none`,
    host: `registrable domain of an external server (public suffix list), short name of an internal one, or the pseudonym of its address when it had no name (${from}); empty when none`,
    domain: `registrable domain (public suffix list), or the pseudonym of an address (${from}); empty when none`,
    server: `short name of the server, or the pseudonym of an address (${from}); empty when none`,
    keep: `the value as logged when it is a number or a plain name (${from}), otherwise its pseudonym; empty when none`,
    text: `free text (${from}) with every address replaced by its pseudonym and spreadsheet formulas escaped; empty when none`,
  };
  const other = bounded ? `; "${OTHER_KEY}" in the row that holds the bucket's other keys (row_bound)` : '';
  return { name: level.column, type: 'string', description: descriptions[level.transform] + other };
}

function metricField(metric: Metric): Record<string, unknown> {
  if (metric.type === 'count')
    return {
      name: metric.name,
      type: 'integer',
      description: `log events (Elasticsearch documents) in the bucket`,
      unit: 'events',
      constraints: { required: true, minimum: 0 },
    };
  const unit = metricFields(metric).every((f) => /bytes$/i.test(f)) ? { unit: 'bytes' } : {};
  const what = { sum: 'sum', max: 'largest value', min: 'smallest value' }[metric.type];
  return {
    name: metric.name,
    type: 'number',
    description: `${what} of ${metricFields(metric).join(' + ')} over the bucket's events${metric.type === 'sum' ? ' (0 when none)' : ''}`,
    ...unit,
  };
}
