import { rm } from 'node:fs/promises';
import { formatCsv, formatDayRows } from './csv.js';
import { dayFilePath, tableColumns } from './layout.js';
import { openAtomicWriter, type AtomicWriter } from './atomic-write.js';
import type { KeyedRow } from '../transform/rows.js';
import type { TableConfig } from '../config/schema.js';

/**
 * Writes one day file, streamed: the header at once, then rows as they come, all into a temporary
 * file that `commit` puts in place atomically (atomic-write.ts). A complete day, once committed,
 * supersedes the partial file written earlier in the day. Until `commit`, the previous file is
 * untouched; `abort` drops what was written.
 */
export interface DayWriter {
  readonly path: string;
  write(rows: readonly KeyedRow[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function openDayWriter(
  dataDir: string,
  table: Pick<TableConfig, 'name' | 'levels' | 'metrics'>,
  day: string,
  partial: boolean,
): Promise<DayWriter> {
  const path = dayFilePath(dataDir, table.name, day, partial);
  const writer: AtomicWriter = await openAtomicWriter(path, { root: dataDir });
  try {
    await writer.write(formatCsv(tableColumns(table), []));
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return {
    path,
    async write(rows) {
      if (rows.length > 0) await writer.write(formatDayRows(rows));
    },
    async commit() {
      await writer.commit();
      if (!partial) await rm(dayFilePath(dataDir, table.name, day, true), { force: true });
    },
    abort: () => writer.abort(),
  };
}
