import { InvalidArgumentError } from 'commander';
import { parseDay } from '../time/day.js';
import { isTableName } from '../config/table-name.js';

/** Commander argument parsers: each rejects bad input with one line naming the fix. */

export function dayOption(value: string): string {
  const parsed = parseDay(value);
  if ('error' in parsed) throw new InvalidArgumentError(parsed.error);
  return parsed.day;
}

const MAX_DAYS = 3660;

export function daysOption(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number of days`);
  const n = Number(value);
  if (n < 1) throw new InvalidArgumentError(`${n} days: give at least 1`);
  if (n > MAX_DAYS)
    throw new InvalidArgumentError(
      `${n} days is more than ${MAX_DAYS} (10 years): use --from/--to for a longer range`,
    );
  return n;
}

export function positiveIntOption(label: string, max: number, min = 1): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`${label} must be a whole number from ${min} to ${max}, not "${value}"`);
    }
    return Number(value);
  };
}

export function tablesOption(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0)
    throw new InvalidArgumentError('give at least one table name, e.g. --tables total,dns');
  for (const n of names) {
    if (!isTableName(n))
      throw new InvalidArgumentError(`"${n}" is not a table name (lower-case letters, digits, _)`);
  }
  return names;
}

/** A path flag that must name something: `--data ''` would otherwise mean the current directory. */
export function nonEmptyPathOption(label: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '')
      throw new InvalidArgumentError(
        `${label} is empty: give a path (e.g. ${label} /var/lib/netlog/${label === '--data' ? 'data' : 'elastic.log'})`,
      );
    return value;
  };
}

/** A positive decimal number, e.g. a z-score threshold; `fix` says what to give instead. */
export function positiveNumberOption(label: string, fix: string): (value: string) => number {
  return (value) => {
    if (!/^\d+(\.\d+)?$/.test(value) || !(Number(value) > 0))
      throw new InvalidArgumentError(`${label} ${value}: give ${fix}`);
    return Number(value);
  };
}

/** A score from 0 to 1 inclusive. */
export function scoreOption(label: string): (value: string) => number {
  return (value) => {
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(value))
      throw new InvalidArgumentError(`${label} ${value}: give a score from 0 to 1, e.g. 0.7`);
    return Number(value);
  };
}
