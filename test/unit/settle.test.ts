import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSettled } from '../../src/pipeline/plan.js';
import { UsageError } from '../../src/errors.js';

test('a day inside the settle window is refused unless partial; after it, or with no window, it is not', () => {
  const at = (iso: string) => new Date(iso);
  assert.throws(
    () => checkSettled('2026-11-05', at('2026-11-06T05:59:00Z'), 'UTC', 6, false),
    (e: unknown) =>
      e instanceof UsageError && /ended 5\.9 h ago, within the settle window of 6 h/.test(e.message),
  );
  assert.doesNotThrow(() => checkSettled('2026-11-05', at('2026-11-06T06:00:00Z'), 'UTC', 6, false));
  assert.doesNotThrow(() => checkSettled('2026-11-05', at('2026-11-06T01:00:00Z'), 'UTC', 6, true));
  assert.doesNotThrow(() => checkSettled('2026-11-05', at('2026-11-06T00:00:01Z'), 'UTC', 0, false));
  // The window counts from the end of the day in the configured zone (Berlin: 23:00Z in November).
  assert.throws(
    () => checkSettled('2026-11-05', at('2026-11-06T04:59:00Z'), 'Europe/Berlin', 6, false),
    UsageError,
  );
  assert.doesNotThrow(() =>
    checkSettled('2026-11-05', at('2026-11-06T05:00:00Z'), 'Europe/Berlin', 6, false),
  );
});
