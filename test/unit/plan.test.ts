import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLoadDay, resolveDays, selectTables } from '../../src/pipeline/plan.js';
import { defaultConfig } from '../../src/config/validate.js';
import { UsageError } from '../../src/errors.js';

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
