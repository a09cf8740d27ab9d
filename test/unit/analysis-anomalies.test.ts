import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectAnomalies } from '../../src/analysis/anomalies.js';
import { detectInSeries } from '../../src/analysis/detect-series.js';
import { anomalyTimestamps } from '../../src/sample/generate.js';
import { PROTOCOLS } from '../../src/sample/catalog.js';
import { dayList, sampleSeries } from '../helpers/sample-series.js';

// The sample generator injects, on its anomaly day, a DNS tunnel spike at 14:00 UTC (dns and total)
// and a beacon: a burst of TLS sessions at the top of every hour from 00:00 to 05:00 UTC (tls, flow
// and total). anomalyTimestamps() names those buckets independently of the detector.

const TIME_SERIES = ['total', ...PROTOCOLS];

function found(days: string[], table: string, seed: number, anomalyDay?: string): string[] {
  const s = sampleSeries(days, table, { seed, ...(anomalyDay && { anomalyDay }) });
  return detectAnomalies(s.map((p) => p.value)).anomalies.map((a) => s[a.index]!.timestamp);
}

test('the injected DNS spike and the beacon are found at exactly their timestamps, and nothing else', () => {
  const days = dayList('2026-11-18', 7);
  const { spike, beacon } = anomalyTimestamps('2026-11-24');
  assert.deepEqual(spike, ['2026-11-24T14:00:00Z']);
  assert.equal(beacon.length, 6);
  assert.deepEqual(found(days, 'dns', 42, '2026-11-24'), spike);
  assert.deepEqual(found(days, 'tls', 42, '2026-11-24'), beacon);
  assert.deepEqual(found(days, 'flow', 42, '2026-11-24'), beacon, 'the beacon goes through the flows too');
  assert.deepEqual(found(days, 'total', 42, '2026-11-24'), [...beacon, ...spike], 'and both into the total');
  for (const quiet of ['dhcp', 'http', 'firewall'])
    assert.deepEqual(found(days, quiet, 42, '2026-11-24'), []);
});

test('the anomalies are found in the middle of a month too, with a sensible expectation and score', () => {
  const days = dayList('2026-10-01', 30);
  const anomalyDay = '2026-10-16';
  const { spike, beacon } = anomalyTimestamps(anomalyDay);
  assert.deepEqual(found(days, 'dns', 1, anomalyDay), spike);
  assert.deepEqual(found(days, 'tls', 1, anomalyDay), beacon);

  // The expectation at the spike is what the same bucket holds without the injection.
  const dns = sampleSeries(days, 'dns', { seed: 1, anomalyDay });
  const clean = sampleSeries(days, 'dns', { seed: 1 });
  const result = detectAnomalies(dns.map((p) => p.value));
  const [a] = result.anomalies;
  assert.equal(result.stabiliser, 'anscombe');
  assert.ok(a!.value > 3 * clean[a!.index]!.value, 'the spike is large');
  const cleanValue = clean[a!.index]!.value;
  assert.ok(
    Math.abs(a!.expected - cleanValue) < 0.2 * cleanValue,
    `expected ${a!.expected}, clean ${cleanValue}`,
  );
  assert.ok(a!.score > 10, `score ${a!.score}`);
  assert.ok(
    result.noise > 0.7 && result.noise < 1.5,
    `Poisson-like noise ≈ 1 after Anscombe: ${result.noise}`,
  );
});

test('seeded clean series give at most one false positive per 30 days, in every time-series table', () => {
  const days = dayList('2026-10-01', 30);
  const counts: string[] = [];
  for (const seed of [1, 2, 3]) {
    for (const table of TIME_SERIES) {
      const n = found(days, table, seed).length;
      counts.push(`${seed}/${table}:${n}`);
      assert.ok(n <= 1, `seed ${seed} ${table}: ${n} false positives in 30 clean days`);
    }
  }
  assert.equal(counts.length, 21);
});

test('an outage (two hours of zeros) is an anomaly below expectation', () => {
  const days = dayList('2026-11-18', 7);
  const s = sampleSeries(days, 'dns', { seed: 42 });
  const outage = new Set(
    Array.from(
      { length: 8 },
      (_, i) =>
        `2026-11-20T${String(10 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}:00Z`,
    ),
  );
  const values = s.map((p) => (outage.has(p.timestamp) ? 0 : p.value));
  const { anomalies } = detectAnomalies(values);
  assert.deepEqual(
    anomalies.map((a) => s[a.index]!.timestamp),
    [...outage],
  );
  assert.ok(anomalies.every((a) => a.value === 0 && a.expected > 50));
});

test('degenerate series give no anomalies and no NaN; negative data is not stabilised', () => {
  const flat = detectAnomalies(new Array<number>(192).fill(5));
  assert.deepEqual(flat.anomalies, []);
  assert.ok(flat.expected.every((v) => Math.abs(v - 5) < 1e-9));
  const zeros = detectAnomalies(new Array<number>(192).fill(0));
  assert.ok(zeros.expected.concat(zeros.denoised, zeros.scores).every(Number.isFinite));
  const signed = detectAnomalies(Array.from({ length: 192 }, (_, i) => Math.sin(i / 8) - 0.5));
  assert.equal(signed.stabiliser, 'none');
});

test('gaps are never filled: each stretch of two days or more is analysed on its own', () => {
  const days = dayList('2026-11-19', 6);
  const s = sampleSeries(days, 'dns', { seed: 42, anomalyDay: '2026-11-24' }).map((p, i) => ({
    t: p.t,
    value: i >= 96 && i < 192 ? null : p.value,
  }));
  const result = detectInSeries(s);
  assert.deepEqual(result.skipped, [
    { from: '2026-11-19T00:00:00Z', to: '2026-11-19T23:45:00Z', points: 96 },
  ]);
  assert.equal(result.analysed.length, 1);
  assert.deepEqual(
    { from: result.analysed[0]!.from, to: result.analysed[0]!.to, points: result.analysed[0]!.points },
    { from: '2026-11-21T00:00:00Z', to: '2026-11-24T23:45:00Z', points: 384 },
  );
  assert.ok(result.analysed[0]!.reconstructionError < 1e-9);
  assert.deepEqual(
    result.anomalies.map((a) => [a.timestamp, a.index]),
    [['2026-11-24T14:00:00Z', 96 * 5 + 56]],
  );
  assert.equal(result.denoised[100]!.value, null, 'nothing is drawn in the gap');
  assert.equal(result.denoised[10]!.value, null, 'nor over the stretch too short to analyse');
  assert.equal(typeof result.denoised[300]!.value, 'number');
  assert.equal(result.denoised.length, s.length);
});
