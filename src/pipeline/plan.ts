import { UsageError } from '../errors.js';
import { addDays, dayRange, daysBetween, yesterday } from '../time/day.js';
import type { Config, TableConfig } from '../config/schema.js';

/** Pure planning: which tables and which days a command works on. */

/** The configured tables named by `--tables` (all when not given); unknown names are a usage error. */
export function selectTables(
  config: Pick<Config, 'tables'>,
  names: readonly string[] | undefined,
): TableConfig[] {
  if (names === undefined) return config.tables;
  const known = new Map(config.tables.map((t) => [t.name, t]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown table(s) ${unknown.join(', ')}: configured tables are ${[...known.keys()].join(', ')}`,
    );
  }
  return [...new Set(names)].map((n) => known.get(n)!);
}

export interface RangeFlags {
  days?: number;
  from?: string;
  to?: string;
}

/**
 * The days of `--days N` (the last N complete days) or `--from/--to` (both included; `--to` defaults to
 * yesterday, `--from` to `--to`). Days not over yet at `now` are refused: they would be incomplete.
 */
export function resolveDays(flags: RangeFlags, now: Date, timeZone: string, defaultDays = 1): string[] {
  const last = yesterday(now, timeZone);
  if (flags.days !== undefined) return daysBetween(addDays(last, -(flags.days - 1)), last);
  const to = flags.to ?? last;
  const from = flags.from ?? (flags.to !== undefined ? flags.to : addDays(last, -(defaultDays - 1)));
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}: swap them`);
  if (to > last) {
    throw new UsageError(
      `${to} is not over yet (today is ${addDays(last, 1)} in ${timeZone}): the last complete day is ${last}`,
    );
  }
  const days = daysBetween(from, to);
  if (days.length > 3660)
    throw new UsageError(`${days.length} days is more than 3660 (10 years): split the range`);
  return days;
}

/** Checks the single day of load-daily: not in the future; today only with --partial. */
/**
 * Refuses a day that ended less than `settleHours` ago (logs a source writes late, such as Zeek's long
 * connections, are still arriving) unless a partial file is asked for. Pure.
 */
export function checkSettled(
  day: string,
  now: Date,
  timeZone: string,
  settleHours: number,
  partial: boolean,
): void {
  if (partial || settleHours <= 0) return;
  const end = dayRange(day, timeZone).end.getTime();
  const ageHours = (now.getTime() - end) / 3_600_000;
  if (ageHours >= 0 && ageHours < settleHours)
    throw new UsageError(
      `${day} ended ${(Math.floor(ageHours * 10) / 10).toFixed(1)} h ago, within the settle window of ${settleHours} h (--settle or settle_hours): late logs may still arrive; load it after ${new Date(end + settleHours * 3_600_000).toISOString()}, or add --partial for a partial file`,
    );
}

export function checkLoadDay(day: string, now: Date, timeZone: string, partial: boolean): void {
  const today = addDays(yesterday(now, timeZone), 1);
  if (day > today) throw new UsageError(`${day} is in the future (today is ${today} in ${timeZone})`);
  if (day === today && !partial)
    throw new UsageError(
      `${day} is today and not over yet: load yesterday, or add --partial for a partial file`,
    );
}
