import { relative } from 'node:path';
import { ExitCode, InterruptedError } from '../errors.js';
import { scrubIpLiterals } from '../net/ip.js';
import { UnsafePathError } from '../store/safe-path.js';
import type { RunSummary } from '../pipeline/run-jobs.js';
import type { Config } from '../config/schema.js';
import type { CommandContext } from './context.js';

/**
 * The end of every loading command: what was written (for the human), one summary log line (for the
 * file), and the exit code: 0 all done, 3 some (table, day) failed, 1 all failed (or a symbolic link
 * was found on a day file's path), 130 interrupted.
 */
export async function printRunSummary(
  cmd: string,
  summary: RunSummary,
  options: { config: Config; skipped?: Record<string, number>; listFiles?: boolean },
  ctx: CommandContext,
): Promise<number> {
  for (const r of options.listFiles === false ? [] : summary.done) {
    if (r.path !== undefined)
      ctx.out(`${displayPath(r.path)}  ${r.rows} rows${r.partial ? ' (partial day)' : ''}`);
    else ctx.out(`${r.table} ${r.day}: ${r.rows} rows (dry run, nothing written)`);
  }
  const perTable = new Map<string, { done: number; skipped: number; failed: number }>();
  const entry = (table: string) =>
    perTable.get(table) ?? perTable.set(table, { done: 0, skipped: 0, failed: 0 }).get(table)!;
  for (const r of summary.done) entry(r.table).done++;
  for (const f of summary.failed) entry(f.table).failed++;
  for (const [table, n] of Object.entries(options.skipped ?? {})) entry(table).skipped += n;
  const skipped = [...perTable.values()].reduce((s, t) => s + t.skipped, 0);
  ctx.log.info(
    {
      done: summary.done.length,
      failed: summary.failed.length,
      skipped,
      interrupted: summary.interrupted,
      perTable: Object.fromEntries(perTable),
    },
    `${cmd} finished`,
  );
  if (options.listFiles === false) {
    ctx.out('table                 done  skipped  failed');
    for (const [table, t] of [...perTable].sort())
      ctx.out(
        `${table.padEnd(20)} ${String(t.done).padStart(5)} ${String(t.skipped).padStart(8)} ${String(t.failed).padStart(7)}`,
      );
  }
  // The same one-line error as on stderr and in the log, so scrubbed the same way.
  for (const f of summary.failed) ctx.out(`FAILED ${f.table} ${f.day}: ${scrubIpLiterals(f.error.message)}`);
  if (summary.interrupted) throw new InterruptedError();
  if (summary.failed.length === 0) return ExitCode.ok;
  // A symbolic link in the data directory is not a partial run: it needs a human before any other day.
  if (summary.failed.some((f) => f.error instanceof UnsafePathError)) return ExitCode.runtime;
  return summary.done.length === 0 ? ExitCode.runtime : ExitCode.partial;
}

/** A path relative to the working directory when it lies below it, absolute otherwise. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
