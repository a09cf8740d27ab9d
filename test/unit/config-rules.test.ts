import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateOf, combine, isAdditive } from '../../src/config/metric-rules.js';
import { isTableName } from '../../src/config/table-name.js';
import { validateConfig } from '../../src/config/validate.js';
import { tablesOption } from '../../src/cli/options.js';
import { dayFileRelPath, parseDayFileRelPath } from '../../src/store/layout.js';

test('metric rule: counts and sums are additive and add up; maxima and minima keep the extreme', () => {
  assert.deepEqual(
    (['count', 'sum', 'max', 'min'] as const).map((type) => [isAdditive({ type }), aggregateOf({ type })]),
    [
      [true, 'sum'],
      [true, 'sum'],
      [false, 'max'],
      [false, 'min'],
    ],
  );
  const values = [7, null, 3, 12, null, 5];
  const fold = (aggregate: 'sum' | 'max' | 'min') =>
    values.reduce<number | null>((acc, v) => combine(aggregate, acc, v), null);
  // Expected values worked out by hand over the non-null values 7, 3, 12, 5.
  assert.equal(fold('sum'), 27);
  assert.equal(fold('max'), 12);
  assert.equal(fold('min'), 3);
  // null is "no value yet", never 0: a minimum over nothing stays null, 0 is a value.
  assert.equal(combine('min', null, null), null);
  assert.equal(combine('min', 0, 4), 0);
  assert.equal(combine('max', null, -2), -2);
});

test('table-name rule: one pattern, and every place that takes a table name follows it', () => {
  const good = ['a', 'dns', 'internal_to_external', 'x9', `a${'b'.repeat(63)}`];
  const bad = ['', '1a', '_a', 'A', 'Dns', 'a-b', 'a.b', '../x', 'a/b', 'a b', `a${'b'.repeat(64)}`, 'dnsé'];
  for (const name of good) assert.equal(isTableName(name), true, name);
  for (const name of bad) assert.equal(isTableName(name), false, name);
  for (const name of [...good, ...bad]) {
    const ok = isTableName(name);
    const inConfig = validateConfig({ tables: [{ name, index: 'network-*' }] }).errors.length === 0;
    assert.equal(inConfig, ok, `config: ${name}`);
    assert.equal(
      (() => {
        try {
          return tablesOption(name).length === 1;
        } catch {
          return false;
        }
      })(),
      ok,
      `--tables: ${name}`,
    );
    assert.equal(
      (() => {
        try {
          dayFileRelPath(name, '2026-11-24');
          return true;
        } catch {
          return false;
        }
      })(),
      ok,
      `layout: ${name}`,
    );
    if (ok) assert.equal(parseDayFileRelPath(`${name}/2026/2026-11-24.csv`)?.table, name);
    else assert.equal(parseDayFileRelPath(`${name}/2026/2026-11-24.csv`), undefined, `parse: ${name}`);
  }
});
