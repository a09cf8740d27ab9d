import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sampleDayTables } from '../../src/sample/day-tables.js';
import { formatCsv } from '../../src/store/csv.js';
import { dayFilePath } from '../../src/store/layout.js';

/**
 * Day files written straight from the generator (no Elasticsearch): the time series (`total` and one
 * per protocol) and `websites`, as an analyst would pull them, for the analysis tests. The same code
 * as scripts/sample-csv.ts.
 */
export async function writeSampleTimeSeries(
  dataDir: string,
  days: readonly string[],
  options: { seed: number; docsPerDay: number; anomalyDay?: string; tables?: readonly string[] },
): Promise<void> {
  for (const day of days) {
    const tables = sampleDayTables(day, {
      seed: options.seed,
      docsPerDay: options.docsPerDay,
      anomalies: day === options.anomalyDay,
    });
    for (const [name, table] of Object.entries(tables)) {
      if (options.tables && !options.tables.includes(name)) continue;
      const path = dayFilePath(dataDir, name, day);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, formatCsv(table.header, table.rows));
    }
  }
}
