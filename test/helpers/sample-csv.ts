import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDay } from '../../src/sample/generate.js';
import { accumulateExpected, emptyExpectedDay } from '../../src/sample/expected.js';
import { formatCsv } from '../../src/store/csv.js';
import { PROTOCOLS } from '../../src/sample/catalog.js';

/**
 * Time-series day files written straight from the generator's expectations (no Elasticsearch): the
 * data an analyst would pull, for the analysis tests. Returns the per-day expectations.
 */
export async function writeSampleTimeSeries(
  dataDir: string,
  days: readonly string[],
  options: { seed: number; docsPerDay: number; anomalyDay?: string },
): Promise<void> {
  for (const day of days) {
    const expected = emptyExpectedDay(day);
    for (const doc of generateDay(day, {
      seed: options.seed,
      docsPerDay: options.docsPerDay,
      anomalies: day === options.anomalyDay,
    }))
      accumulateExpected(expected, doc);
    const tables = {
      total: expected.total,
      ...Object.fromEntries(PROTOCOLS.map((p) => [p, expected.protocols[p]])),
    };
    for (const [table, buckets] of Object.entries(tables)) {
      const dir = join(dataDir, table, day.slice(0, 4));
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, `${day}.csv`),
        formatCsv(
          ['timestamp', 'count', 'bytes'],
          Object.entries(buckets).map(([t, b]) => [t, b.count, b.bytes]),
        ),
      );
    }
  }
}
