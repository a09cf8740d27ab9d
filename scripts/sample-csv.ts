/**
 * A data directory of generated day files, without Elasticsearch: the time series (`total` and one
 * per protocol) and `websites`, exactly as netlog would write them for the sample generator's logs.
 * For analysts who want to try `netlog plot|wavelet|report`, and for the demo charts.
 *
 *   node --import tsx scripts/sample-csv.ts --out data-sample --days 14 --end 2026-11-24
 *
 * It refuses a folder that is a data repository (has .git or datapackage.json).
 *   node --import tsx scripts/sample-csv.ts --out data-sample --days 30 --end 2026-11-24 --no-anomalies
 *
 * The anomalies (a DNS spike at 14:00 UTC and a TLS beacon every hour from 00:00 to 05:00 UTC) go into
 * --anomaly-day (default: --end). --skip-days leaves days out, to see how gaps are reported and drawn.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleDayTables } from '../src/sample/day-tables.js';
import { formatCsv } from '../src/store/csv.js';
import { dayFilePath } from '../src/store/layout.js';
import { addDays, daysBetween, parseDay } from '../src/time/day.js';

function fail(message: string): never {
  process.stderr.write(`sample-csv: ${message}\n`);
  process.exit(2);
}

function day(flag: string, text: string): string {
  const parsed = parseDay(text);
  return 'error' in parsed ? fail(`--${flag}: ${parsed.error}`) : parsed.day;
}

function whole(flag: string, text: string, max: number): number {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= max
    ? n
    : fail(`--${flag} must be a whole number from 1 to ${max}`);
}

function parseFlags() {
  try {
    return parseArgs({
      options: {
        out: { type: 'string', default: 'data-sample' },
        days: { type: 'string', default: '7' },
        end: { type: 'string' },
        seed: { type: 'string', default: '42' },
        'docs-per-day': { type: 'string', default: '20000' },
        'anomaly-day': { type: 'string' },
        'no-anomalies': { type: 'boolean', default: false },
        'skip-days': { type: 'string', default: '' },
      },
      strict: true,
    });
  } catch (err) {
    return fail(
      `${(err as Error).message} (flags: --out --days --end --seed --docs-per-day --anomaly-day --no-anomalies --skip-days)`,
    );
  }
}
const { values } = parseFlags();

const end =
  values.end === undefined ? addDays(new Date().toISOString().slice(0, 10), -1) : day('end', values.end);
const days = daysBetween(addDays(end, -(whole('days', values.days, 3660) - 1)), end);
const anomalyDay = values['no-anomalies']
  ? undefined
  : values['anomaly-day'] === undefined
    ? end
    : day('anomaly-day', values['anomaly-day']);
const skip = new Set(
  values['skip-days']
    .split(',')
    .filter((s) => s !== '')
    .map((s) => day('skip-days', s)),
);
const seed = whole('seed', values.seed, 2 ** 31);
const docsPerDay = whole('docs-per-day', values['docs-per-day'], 5_000_000);

// Generated files must never land in a real data repository (they would be published as real days).
for (const mark of ['.git', 'datapackage.json'])
  if (existsSync(join(values.out, mark)))
    fail(
      `${values.out} is a data repository (it has ${mark}): generated day files never go there; choose another --out, e.g. sample-data`,
    );

let files = 0;
for (const d of days) {
  if (skip.has(d)) continue;
  const tables = sampleDayTables(d, { seed, docsPerDay, anomalies: d === anomalyDay });
  for (const [name, table] of Object.entries(tables)) {
    const path = dayFilePath(values.out, name, d);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, formatCsv(table.header, table.rows));
    files++;
  }
}
process.stdout.write(
  `${files} day files for ${days[0]} – ${end} in ${values.out}` +
    `${anomalyDay ? `; anomalies on ${anomalyDay}` : '; no anomalies'}` +
    `${skip.size ? `; left out ${[...skip].join(', ')}` : ''}\n`,
);
