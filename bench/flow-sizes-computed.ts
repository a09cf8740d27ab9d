/**
 * Day-file sizes of the two flow tables computed from the generator alone, without Elasticsearch: the
 * generated day's flow documents are grouped per 15-minute bucket (or hour) and raw key as a composite
 * aggregation would group them, then go through netlog's own transform, merge, row bound and CSV
 * formatting. For network sizes too large to index on a busy machine (issue 18: 50,000 hosts); checked
 * against the loaded files at 5,000 hosts (bench/results.md).
 *
 * node --import tsx bench/flow-sizes-computed.ts --hosts 50000 [--docs-per-host 250] [--top 1000] [--day 2026-11-24]
 */
import { parseArgs } from 'node:util';
import { generateDay } from '../src/sample/generate.js';
import { defaultConfig } from '../src/config/validate.js';
import { levelFields } from '../src/extract/query.js';
import { transformRow } from '../src/transform/rows.js';
import { RowMerger } from '../src/transform/merge.js';
import { boundRows } from '../src/transform/row-bound.js';
import { createPseudonymiser } from '../src/transform/pseudonymise.js';
import { formatCsv, formatDayRows } from '../src/store/csv.js';
import { tableColumns } from '../src/store/layout.js';

import type { TableConfig } from '../src/config/schema.js';
import type { RawRow } from '../src/transform/flatten.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '5000' },
    'docs-per-host': { type: 'string', default: '250' },
    top: { type: 'string', default: '1000' },
    day: { type: 'string', default: '2026-11-24' },
    seed: { type: 'string', default: '42' },
  },
});
const hosts = Number(values.hosts);
const docsPerDay = hosts * Number(values['docs-per-host']);
const top = Number(values.top);
const config = defaultConfig();
const pseudonymise = createPseudonymiser(
  { algorithm: 'hmac-sha256', length: 16 },
  Buffer.from('bench-flow-sizes-key-0123456789abcdef'),
);
const transform = {
  pseudonymise,
  internalDomains: config.internal_domains,
  internalNames: config.internal_names,
};
const names = ['internal_to_internal', 'internal_to_external'] as const;
const tables = names.map((n) => config.tables.find((t) => t.name === n)!);

interface Variant {
  readonly table: TableConfig;
  readonly label: string;
  readonly bucketMs: number;
  readonly bound: boolean;
  /** bucket start → raw key JSON → its values, count and bytes (the buckets not yet written) */
  open: Map<number, Map<string, { values: (string | number | null)[]; count: number; bytes: number }>>;
  rows: number;
  bytes: number;
}
const variants: Variant[] = tables.flatMap((table) =>
  [
    ['unbounded', 900_000, false],
    ['bounded', 900_000, true],
    ['hourly', 3_600_000, false],
    ['hourly-bounded', 3_600_000, true],
  ].map(([label, bucketMs, bound]) => ({
    table,
    label: label as string,
    bucketMs: bucketMs as number,
    bound: bound as boolean,
    open: new Map(),
    rows: 0,
    bytes: formatCsv(tableColumns(table), []).length,
  })),
);

/**
 * Writes the buckets that start before `horizon`, in time order. The generator's documents come in time
 * order but for the night beacon's burst, which runs up to half an hour past its bucket at 50,000 hosts:
 * a bucket is written once no document can fall into it any more (Elasticsearch's composite
 * aggregation sorts by time, so netlog always sees each bucket whole).
 */
function flush(v: Variant, horizon: number): void {
  for (const bucket of [...v.open.keys()].filter((b) => b < horizon).sort((a, b) => a - b)) {
    const merger = new RowMerger(v.table.metrics);
    for (const g of v.open.get(bucket)!.values()) {
      const raw: RawRow = { time: bucket, values: g.values, metrics: [g.count, g.bytes] };
      merger.add(transformRow(raw, v.table.levels, transform));
    }
    let rows = merger.finish();
    if (v.bound) rows = boundRows(rows, v.table.metrics, { top, by: 'count' }, v.table.levels.length);
    v.rows += rows.length;
    v.bytes += Buffer.byteLength(formatDayRows(rows));
    v.open.delete(bucket);
  }
}

const get = (body: Record<string, unknown>, path: string): string | number | null => {
  let at: unknown = body;
  for (const p of path.split('.')) at = (at as Record<string, unknown> | undefined)?.[p];
  return typeof at === 'string' || typeof at === 'number' ? at : null;
};

const started = Date.now();
let latest = 0;
for (const doc of generateDay(values.day!, {
  seed: Number(values.seed),
  docsPerDay,
  anomalies: true,
  hosts,
})) {
  if (doc.protocol !== 'flow') continue;
  if (doc.timestamp > latest + 3_600_000) {
    // Nothing arrives more than two hours behind the latest document so far.
    latest = doc.timestamp;
    for (const v of variants) flush(v, latest - 2 * 3_600_000);
  }
  for (const v of variants) {
    if (doc.category !== v.table.name) continue;
    const bucket = Math.floor(doc.timestamp / v.bucketMs) * v.bucketMs;
    const groups = v.open.get(bucket) ?? v.open.set(bucket, new Map()).get(bucket)!;
    const vals = levelFields(v.table.levels).map((f) => get(doc.body, f.path));
    const key = JSON.stringify(vals);
    const g = groups.get(key) ?? groups.set(key, { values: vals, count: 0, bytes: 0 }).get(key)!;
    g.count++;
    g.bytes += doc.bytes;
  }
}
for (const v of variants) flush(v, Infinity);
for (const v of variants)
  console.log(`${hosts} hosts ${v.label} ${v.table.name} rows=${v.rows} bytes=${v.bytes}`);
console.error(`computed in ${Math.round((Date.now() - started) / 1000)} s`);
