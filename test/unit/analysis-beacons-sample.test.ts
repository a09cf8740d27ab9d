import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleDayBeacons } from '../helpers/sample-beacons.js';
import { PLANTED_PAIRS, plantedConnections } from '../../src/sample/planted.js';
import { generateDay } from '../../src/sample/generate.js';
import { addDays } from '../../src/time/day.js';

// The planted beacons and decoys of the sample (src/sample/planted.ts), scored the way `netlog beacons`
// scores them: every beacon found with its period, no decoy, and the false positives on clean days
// counted (the README states the figure).

const DAYS = ['2026-11-22', '2026-11-23', '2026-11-24'];

test('every planted beacon is found on every day, with its period; no decoy is reported', () => {
  for (const day of DAYS) {
    const { findings } = sampleDayBeacons(day, {
      seed: 42,
      docsPerDay: 20_000,
      anomalies: true,
      beacons: true,
    });
    const byDestination = new Map(findings.map((f) => [f.keys[1], f]));
    for (const p of PLANTED_PAIRS) {
      const f = byDestination.get(p.site.domain);
      if (p.kind === 'decoy') {
        assert.equal(f, undefined, `${day}: decoy ${p.name} reported with score ${f?.score}`);
        continue;
      }
      assert.ok(f, `${day}: beacon ${p.name} not found`);
      assert.equal(f.exact, true);
      assert.ok(f.score >= 0.9, `${day}: ${p.name} scored ${f.score}`);
      assert.ok(
        Math.abs(f.interval - p.periodSec!) <= p.periodSec! * 0.02,
        `${day}: ${p.name} every ${f.interval} s`,
      );
      const planted = plantedConnections(day, 42).filter((c) => c.pair === p).length;
      assert.equal(f.connections, planted, `${day}: ${p.name} connections`);
    }
  }
});

test('planting is additive: the baseline documents of a day are the same with or without beacons', () => {
  const day = '2026-11-24';
  const options = { seed: 7, docsPerDay: 2_000, anomalies: true };
  const without = [...generateDay(day, options)];
  const withBeacons = [...generateDay(day, { ...options, beacons: true })];
  assert.deepEqual(
    withBeacons.slice(0, without.length).map((d) => [d.id, d.timestamp, d.bytes, d.body]),
    without.map((d) => [d.id, d.timestamp, d.bytes, d.body]),
  );
  assert.equal(withBeacons.length - without.length, plantedConnections(day, 7).length);
});

test('false positives on 30 clean generated days: 18 pair-days in all, at most 2 a day, none at 0.9', () => {
  let total = 0;
  let worstDay = 0;
  let high = 0;
  let pairDays = 0;
  for (let i = 0; i < 30; i++) {
    const day = addDays('2026-11-24', -i);
    const r = sampleDayBeacons(day, { seed: 42, docsPerDay: 20_000, anomalies: false });
    total += r.findings.length;
    worstDay = Math.max(worstDay, r.findings.length);
    high += r.findings.filter((f) => f.score >= 0.9).length;
    pairDays += r.pairs;
  }
  // The figures stated in the README: change both together.
  assert.equal(total, 18, `${total} false positives in ${pairDays} pair-days`);
  assert.ok(worstDay <= 2, `${worstDay} on one day`);
  assert.equal(high, 0);
  assert.equal(pairDays, 80_739);
});
