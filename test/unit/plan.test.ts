import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLoadDay, resolveDays, selectTables } from '../../src/pipeline/plan.js';
import { defaultConfig } from '../../src/config/validate.js';
import { UsageError } from '../../src/errors.js';
import { startOrder } from '../../src/pipeline/run-jobs.js';

const now = new Date('2026-11-25T06:00:00Z');

test('--days N is the last N complete days', () => {
  assert.deepEqual(resolveDays({ days: 3 }, now, 'UTC'), ['2026-11-22', '2026-11-23', '2026-11-24']);
  assert.deepEqual(resolveDays({ days: 1 }, new Date('2026-11-24T23:30:00Z'), 'Europe/Berlin'), [
    '2026-11-24',
  ]);
});

test('--from/--to are inclusive, ordered, and must be over', () => {
  assert.deepEqual(resolveDays({ from: '2026-02-27', to: '2026-03-01' }, now, 'UTC'), [
    '2026-02-27',
    '2026-02-28',
    '2026-03-01',
  ]);
  assert.deepEqual(resolveDays({ from: '2026-11-23' }, now, 'UTC'), ['2026-11-23', '2026-11-24']);
  assert.throws(
    () => resolveDays({ from: '2026-11-20', to: '2026-11-10' }, now, 'UTC'),
    /--from 2026-11-20 is after --to 2026-11-10: swap them/,
  );
  assert.throws(
    () => resolveDays({ from: '2026-11-20', to: '2026-11-25' }, now, 'UTC'),
    /2026-11-25 is not over yet/,
  );
  assert.throws(() => resolveDays({ from: '1990-01-01', to: '2026-11-24' }, now, 'UTC'), /more than 3660/);
});

test('load-daily refuses the future and today without --partial', () => {
  assert.throws(() => checkLoadDay('2026-11-26', now, 'UTC', true), /in the future/);
  assert.throws(() => checkLoadDay('2026-11-25', now, 'UTC', false), /today and not over yet/);
  assert.doesNotThrow(() => checkLoadDay('2026-11-25', now, 'UTC', true));
  assert.doesNotThrow(() => checkLoadDay('2020-01-01', now, 'UTC', false));
});

test('tables are selected by name, unknown names listed', () => {
  const config = defaultConfig();
  assert.deepEqual(
    selectTables(config, ['dns', 'total', 'dns']).map((t) => t.name),
    ['dns', 'total'],
  );
  assert.throws(
    () => selectTables(config, ['dns', 'x', 'y']),
    (e: unknown) => e instanceof UsageError && /unknown table\(s\) x, y/.test((e as Error).message),
  );
});

test('jobs start day by day, in each day the tables with the most level fields first, series last', () => {
  const tables = defaultConfig().tables;
  const days = ['2026-05-30', '2026-05-31'];
  const jobs = days.flatMap((day) => tables.map((table) => ({ table, day })));
  const started = startOrder(jobs).map((i) => jobs[i]!);
  // The oracle: the level fields counted by hand for the built-in tables.
  const fields: Record<string, number> = { internal_to_internal: 4, internal_to_external: 3, websites: 3 };
  for (const day of days) {
    const names = started.filter((j) => j.day === day).map((j) => j.table.name);
    const expected = [
      ...tables.filter((t) => t.name === 'internal_to_internal'),
      ...tables.filter((t) => fields[t.name] === 3),
      ...tables.filter((t) => fields[t.name] === undefined),
    ].map((t) => t.name);
    assert.deepEqual(names, expected);
  }
  assert.deepEqual(
    started.map((j) => j.day),
    days.flatMap((d) => tables.map(() => d)),
    'every job of a day before the next day',
  );
  assert.deepEqual(
    [...startOrder(jobs)].sort((a, b) => a - b),
    jobs.map((_, i) => i),
    'each job once',
  );
});
