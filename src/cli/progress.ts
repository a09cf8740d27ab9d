import type { Logger } from '../log.js';

/**
 * Progress of a long run: a one-line bar on a terminal (done/total, rate, ETA), and plain log lines
 * every `intervalMs` when not on a terminal (cron mail and logs/elastic.log stay readable).
 */
export function createProgress(options: {
  total: number;
  label: string;
  isTTY: boolean;
  log: Logger;
  intervalMs?: number;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const started = now();
  let done = 0;
  let failed = 0;
  let lastLog = started;
  const interval = options.intervalMs ?? 30_000;
  const line = (): string => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? Math.round((options.total - done) / rate) : undefined;
    return `${options.label} ${done}/${options.total}${failed ? ` (${failed} failed)` : ''}  ${rate.toFixed(1)}/s  ETA ${eta === undefined ? '?' : formatSeconds(eta)}`;
  };
  return {
    tick(ok: boolean): void {
      done++;
      if (!ok) failed++;
      if (options.isTTY) {
        const width = 24;
        const filled = options.total ? Math.round((done / options.total) * width) : width;
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line()}\x1b[K`);
      } else if (now() - lastLog >= interval || done === options.total) {
        lastLog = now();
        options.log.info({ done, total: options.total, failed }, `${options.label} progress: ${line()}`);
      }
    },
    finish(): void {
      if (options.isTTY && options.total > 0) process.stderr.write('\n');
    },
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
