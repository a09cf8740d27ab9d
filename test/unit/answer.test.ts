import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { errors } from '@elastic/elasticsearch';
import {
  checkSearchAnswer,
  deepestCause,
  describeShardFailure,
  isRetryableCause,
} from '../../src/extract/answer.js';
import { classifyEsError } from '../../src/extract/search.js';
import { diagnoseHealth } from '../../src/extract/doctor.js';
import { PageChecker, checkAllBucketed, rawKey } from '../../src/extract/check-page.js';
import { defaultConfig } from '../../src/config/validate.js';
import { dayRange } from '../../src/time/day.js';
import { DataError } from '../../src/errors.js';
import type { FlattenResult } from '../../src/transform/flatten.js';

const whole = {
  took: 3,
  timed_out: false,
  _shards: { total: 3, successful: 3, skipped: 1, failed: 0 },
  hits: { total: { value: 10, relation: 'eq' }, max_score: null, hits: [] },
  aggregations: {},
};

test('a whole answer passes; skipped shards count as successful', () => {
  assert.equal(checkSearchAnswer(whole, 'network-*'), undefined);
});

test('the answer of a red index without allow_partial_search_results (recorded from 9.5.4) names the shard', () => {
  // What 9.5.4 answered for `network-*` with one unassigned shard: an empty top-level reason.
  const body = {
    error: {
      root_cause: [],
      type: 'search_phase_execution_exception',
      reason: '',
      phase: 'query',
      grouped: true,
      failed_shards: [],
      caused_by: {
        type: 'search_phase_execution_exception',
        reason:
          'Search rejected due to missing shards [[probe-red][0], [probe-red][1]]. Consider using `allow_partial_search_results` setting to bypass this error.',
        phase: 'query',
        grouped: true,
        failed_shards: [],
      },
    },
    status: 503,
  };
  const err = new errors.ResponseError({
    body,
    statusCode: 503,
    headers: {},
    warnings: null,
    meta: {} as never,
  });
  const c = classifyEsError(err, 'http://es:9200', 'probe-*');
  assert.match(
    c.message,
    /^Elasticsearch at http:\/\/es:9200 could not search every shard of "probe-\*" \(503\): search_phase_execution_exception: Search rejected due to missing shards \[\[probe-red\]\[0\], \[probe-red\]\[1\]\]/,
  );
  assert.equal(c.retryable, true, 'a missing shard may come back (node restarting, shard relocating)');
});

test('a partial 200 answer (recorded shape, allow_partial_search_results true) is refused', () => {
  const partial = {
    ...whole,
    _shards: {
      total: 4,
      successful: 2,
      skipped: 0,
      failed: 2,
      failures: [
        {
          shard: 0,
          index: 'probe-red',
          node: null,
          reason: { type: 'no_shard_available_action_exception', reason: null },
        },
      ],
    },
  };
  const p = checkSearchAnswer(partial, 'probe-*');
  assert.equal(
    p?.message,
    '2 of 4 shards of "probe-*" failed: index "probe-red" shard 0: no_shard_available_action_exception',
  );
  assert.equal(p?.retryable, true);
  // successful < total with failed 0 is still partial.
  assert.match(
    checkSearchAnswer({ ...whole, _shards: { total: 3, successful: 2, failed: 0 } }, 'x')!.message,
    /^1 of 3 shards of "x" failed: no details given/,
  );
});

test('timed_out, skipped remote clusters, inexact totals, errors in a 200 and non-answers are refused', () => {
  assert.match(
    checkSearchAnswer({ ...whole, timed_out: true }, 'x')!.message,
    /timed out \(timed_out: true\)/,
  );
  assert.match(checkSearchAnswer({ ...whole, timed_out: undefined }, 'x')!.message, /timed_out: missing/);
  assert.match(
    checkSearchAnswer({ ...whole, _clusters: { total: 2, successful: 1, skipped: 1, failed: 0 } }, 'x')!
      .message,
    /remote clusters of "x" were not all searched \(skipped 1\)/,
  );
  assert.match(
    checkSearchAnswer({ ...whole, hits: { total: { value: 10000, relation: 'gte' } } }, 'x')!.message,
    /no exact hit count/,
  );
  assert.match(
    checkSearchAnswer({ error: { type: 'a', reason: '', caused_by: { type: 'b', reason: 'deep' } } }, 'x')!
      .message,
    /is an error although its status says success: b: deep/,
  );
  assert.match(checkSearchAnswer('<html>', 'x')!.message, /not a search result \(string\)/);
  assert.match(checkSearchAnswer({ hits: {} }, 'x')!.message, /no valid _shards section/);
});

test('deepestCause follows caused_by to the deepest reason, bounded, on one line', () => {
  assert.deepEqual(
    deepestCause({
      type: 'a',
      reason: '',
      caused_by: { type: 'b', reason: 'mid', caused_by: { type: 'c', reason: 'deep\nline' } },
    }),
    { type: 'c', reason: 'deep line' },
  );
  assert.deepEqual(deepestCause({ type: 'a', reason: 'top', caused_by: { type: 'b' } }), {
    type: 'a',
    reason: 'top',
  });
  assert.deepEqual(deepestCause({ type: 'a', root_cause: [{ type: 'r', reason: 'root' }] }), {
    type: 'r',
    reason: 'root',
  });
  // A chain nested without end stops.
  let chain: Record<string, unknown> = { type: 'end', reason: 'never reached' };
  for (let i = 0; i < 1000; i++) chain = { type: `t${i}`, reason: `r${i}`, caused_by: chain };
  assert.equal(deepestCause(chain).type, 't980');
});

test('retry-worthiness is decided by the reason', () => {
  assert.equal(isRetryableCause({ type: 'no_shard_available_action_exception' }), true);
  assert.equal(isRetryableCause({ type: 'node_disconnected_exception', reason: '[n2] disconnected' }), true);
  assert.equal(
    isRetryableCause({ type: 'illegal_index_shard_state_exception', reason: 'CurrentState[RECOVERING]' }),
    true,
  );
  assert.equal(
    isRetryableCause({
      type: 'search_phase_execution_exception',
      reason: 'Search rejected due to missing shards [[a][0]]',
    }),
    true,
  );
  assert.equal(
    isRetryableCause({
      type: 'circuit_breaking_exception',
      reason: '[parent] Data too large, durability="TRANSIENT"',
    }),
    true,
  );
  assert.equal(
    isRetryableCause({
      type: 'circuit_breaking_exception',
      reason: '[parent] Data too large, durability="PERMANENT"',
    }),
    false,
  );
  assert.equal(
    isRetryableCause({ type: 'illegal_argument_exception', reason: 'Fielddata is disabled' }),
    false,
  );
  assert.equal(isRetryableCause({ type: 'index_closed_exception', reason: 'closed' }), false);
  assert.equal(
    describeShardFailure({ shard: 2, index: 'i', reason: { type: 'query_shard_exception', reason: 'bad' } })
      .retryable,
    false,
  );
});

test('classifyEsError: a 4xx with its reason only deep in caused_by, a non-JSON error body', () => {
  const deep = new errors.ResponseError({
    body: {
      error: { type: 'x_exception', reason: '', caused_by: { type: 'y', reason: 'the reason' } },
      status: 400,
    },
    statusCode: 400,
    headers: {},
    warnings: null,
    meta: {} as never,
  });
  assert.equal(
    classifyEsError(deep, 'E', 'i').message,
    'Elasticsearch at E rejected the query on "i" (400 x_exception): y: the reason',
  );
  const html = new errors.ResponseError({
    body: '<html>Bad</html>',
    statusCode: 500,
    headers: {},
    warnings: null,
    meta: {} as never,
  });
  assert.equal(
    classifyEsError(html, 'E', 'i').message,
    'Elasticsearch at E rejected the query on "i" (500): not Elasticsearch\'s JSON: "<html>Bad</html>"',
  );
});

const config = defaultConfig();
const dns = config.tables.find((t) => t.name === 'dns')!;
const range = dayRange('2026-11-24');
const t0 = range.start.getTime();
const Q = 15 * 60_000;
const row = (time: number, count: unknown = 1, bytes: unknown = 10, values: string[] = []) => ({
  time,
  values,
  metrics: [count, bytes] as (number | null)[],
});

test('PageChecker: in-day, in-order buckets with valid metrics pass; each fault is named', () => {
  const ok = new PageChecker(dns, range);
  ok.check({ rows: [row(t0), row(t0 + Q, 0, 0)] }, 3);
  ok.check({ rows: [row(t0 + 2 * Q)] }, 3);
  const fails = (pages: FlattenResult[], pattern: RegExp, hits = 1) => {
    const c = new PageChecker(dns, range);
    assert.throws(
      () => pages.forEach((p) => c.check(p, hits)),
      (e: unknown) => e instanceof DataError && pattern.test(e.message),
    );
  };
  fails([{ rows: [row(t0 - Q)] }], /2026-11-23T23:45:00Z, outside the requested day/);
  fails([{ rows: [row(t0 + 96 * Q)] }], /2026-11-25T00:00:00Z, outside the requested day/);
  fails([{ rows: [row(t0 + Q), row(t0)] }], /goes back in time/);
  fails([{ rows: [row(t0, 1, 1, ['a']), row(t0, 1, 1, ['a'])] }], /of one key twice/);
  fails(
    [{ rows: [row(t0, '10.0.0.1')] }],
    /document count that is not a non-negative integer \(a string of 8 characters\)/,
  );
  fails([{ rows: [row(t0, 1.5)] }], /document count .* \(1\.5\)/);
  fails([{ rows: [row(t0, -1)] }], /document count .* \(-1\)/);
  fails(
    [{ rows: [row(t0, 1, '=1+1')] }],
    /sum "bytes" that is not a finite number \(a string of 4 characters\)/,
  );
  fails([{ rows: [row(t0, 1, Number.POSITIVE_INFINITY)] }], /not a finite number \(Infinity\)/);
  fails([{ rows: [row(Number.NaN)] }], /time is not a timestamp \(NaN\)/);
  fails([{ rows: [] }], /invalid hit count \(-1\)/, -1);
});

test('PageChecker: after_key must advance strictly', () => {
  const page = (time: number, after: number | Record<string, unknown>) => ({
    rows: [row(time, 1, 1, ['k'])],
    afterKey: typeof after === 'number' ? { time: after, l0f0: 'k' } : after,
  });
  const c = new PageChecker(dns, range);
  c.check(page(t0, t0), 1);
  c.check(page(t0 + Q, t0 + Q), 1);
  assert.throws(
    () => c.check({ rows: [], afterKey: { time: t0 + Q, l0f0: 'k' } }, 1),
    /repeats the after_key/,
  );
  const back = new PageChecker(dns, range);
  back.check(page(t0 + Q, t0 + Q), 1);
  assert.throws(
    () => back.check({ rows: [], afterKey: { time: t0, l0f0: 'z' } }, 1),
    /after_key that goes backwards/,
  );
  assert.throws(
    () => new PageChecker(dns, range).check(page(t0, { l0f0: 'k' }), 1),
    /after_key without a time/,
  );
  assert.throws(
    () => new PageChecker(dns, range).check({ rows: [], afterKey: 'x' as never }, 1),
    /after_key that is not an object \(a string of 1 characters\)/,
  );
});

test('checkAllBucketed: fewer documents in buckets than matched fails the day; more is late logs', () => {
  assert.doesNotThrow(() => checkAllBucketed(dns, '2026-11-24', { count: 10, bytes: 5 }, 10));
  assert.doesNotThrow(() => checkAllBucketed(dns, '2026-11-24', { count: 11, bytes: 5 }, 10));
  assert.throws(
    () => checkAllBucketed(dns, '2026-11-24', { count: 9, bytes: 5 }, 10),
    (err) =>
      err instanceof DataError &&
      err.message ===
        'dns 2026-11-24: 10 documents matched but only 9 are in buckets (a multi-valued or unmapped level field?)',
  );
  // Without a count metric there is nothing to compare.
  const maxOnly = { name: 'm', metrics: [{ name: 'top', type: 'max' as const, field: 'x' }] };
  assert.doesNotThrow(() => checkAllBucketed(maxOnly, '2026-11-24', {}, 10));
});

test('diagnoseHealth: red is a problem naming the unassigned primaries, yellow a warning', () => {
  const { problems, warnings } = diagnoseHealth(dns, {
    'n-b': { status: 'yellow', number_of_shards: 3, unassigned_shards: 3 },
    'n-a': {
      status: 'red',
      number_of_shards: 3,
      active_primary_shards: 2,
      unassigned_shards: 1,
      unassigned_primary_shards: 1,
    },
    'n-c': { status: 'green', number_of_shards: 1 },
  });
  assert.deepEqual(problems, [
    'dns: index "n-a" is red: 1 of 3 primary shards unassigned: every load of this table fails until they are back (GET _cluster/allocation/explain says why)',
  ]);
  assert.deepEqual(warnings, [
    'dns: index "n-b" is yellow: 3 replica shard(s) unassigned: searches still see all the data, but one more lost node may not',
  ]);
});

test('property: the page checker’s bucket key tells any two different bucket values apart', () => {
  // Strings that hold the key's own markers, numbers that print like strings, nulls and empty strings.
  const value = fc.oneof(
    fc.string({ unit: fc.constantFrom('\u0000', 's', 'n', 'd', '1', ':', 'a'), maxLength: 6 }),
    fc.constantFrom(0, 1, -1, 1.5, 10),
    fc.constant(null),
  );
  const values = fc.array(value, { maxLength: 4 });
  fc.assert(
    fc.property(values, values, (a, b) => {
      // The oracle: kinds and values compared one by one (1 is not '1', null is not '').
      const same = a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (v === 0 && b[i] === 0));
      assert.equal(rawKey(a) === rawKey(b), same, `${JSON.stringify(a)} / ${JSON.stringify(b)}`);
    }),
    { numRuns: 5000 },
  );
});
