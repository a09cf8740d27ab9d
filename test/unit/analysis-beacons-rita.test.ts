import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  bowleyScore,
  durationScore,
  histogramScore,
  madmScore,
  quartiles,
  statisticalScore,
  timestampScore,
} from '../../src/analysis/beacons-rita.js';
import { hourlyBars, scoreExact, scoreFromTable } from '../../src/analysis/beacons.js';

// RITA's formulas are checked twice: against values computed by hand here, and against an independent
// Python implementation (test/oracle/rita_beacons.py, standard library only, no code shared with src/).

test('quartiles are Tukey hinges, as montanaflynn/stats computes them for RITA', () => {
  assert.deepEqual(quartiles([1, 2, 3, 4, 5, 6, 7]), { q1: 2, q2: 4, q3: 6 });
  assert.deepEqual(quartiles([1, 2, 3, 4, 5, 6, 7, 8]), { q1: 2.5, q2: 4.5, q3: 6.5 });
  assert.deepEqual(quartiles([10, 20, 40]), { q1: 10, q2: 20, q3: 40 });
});

test('Bowley and MADM scores by hand', () => {
  // q1 = 10, q2 = 20, q3 = 60: skew (10 + 60 − 40) / 50 = 0.6 → 0.4
  assert.ok(Math.abs(bowleyScore([5, 10, 15, 20, 40, 60, 80]) - 0.4) < 1e-12);
  // a spread below 10 is not skew
  assert.equal(bowleyScore([100, 101, 102, 109]), 1);
  // median 60, |x − 60| = 0,0,10,40,40 → MAD 10 → (60 − 10) / 60
  assert.ok(Math.abs(madmScore([20, 20, 60, 60, 70], 1) - 50 / 60) < 1e-12);
  assert.equal(madmScore([0, 0, 0.5], 1), 1, 'median below 1: the default');
  // median 2, deviations 0,2,2,2,98,98,98 → MAD 2 → 0
  assert.equal(madmScore([0, 0, 0, 2, 100, 100, 100], 0), 0);
  // Bowley 0.4; median 20, deviations 0,5,10,15,20,40,60 → MAD 15 → MADM 0.25; (0.4 + 0.25) / 2
  assert.equal(statisticalScore([60, 5, 10, 15, 20, 40, 80], 1), 0.325);
});

test('a perfect 60-second beacon: timestamp 1, histogram 1 (flat), duration 1', () => {
  const ts = Array.from({ length: 1440 }, (_, i) => i * 60);
  assert.deepEqual(timestampScore(ts), { score: 1, medianInterval: 60 });
  const bars = hourlyBars(
    0,
    86_400_000,
    ts.map((s) => ({ t: s * 1000, count: 1 })),
  );
  assert.deepEqual(bars, new Array(24).fill(60));
  assert.deepEqual(histogramScore(bars), { score: 1, totalBars: 24, longestRun: 24 });
  assert.equal(
    durationScore({ spanSec: 86_400, firstSec: 0, lastSec: 86_340, totalBars: 24, longestRun: 24 }),
    1,
  );
  assert.equal(timestampScore([0, 0, 0, 60, 60]), undefined, 'fewer than 3 non-zero intervals');
});

test('histogram: coefficient of variation, bimodal fit, wrap-around run, minimum hours', () => {
  // alternating 10/20 per hour: cv = 5/15 → 0.667; bimodal: 2 modes of 12 over 23 → 1 (capped)
  const alt = Array.from({ length: 24 }, (_, i) => (i % 2 ? 20 : 10));
  assert.deepEqual(histogramScore(alt), { score: 1, totalBars: 24, longestRun: 24 });
  // 5 hours at the end of the day and 3 at its start: a run of 8 across midnight
  const wrap = [1, 1, 1, ...new Array(16).fill(0), 1, 1, 1, 1, 1];
  const h = histogramScore(wrap);
  assert.equal(h.longestRun, 8);
  assert.equal(h.totalBars, 8);
  // 8 bars < 11: no bimodal fit; cv = sqrt(1/3 · 2/3) / (1/3) = √2 > 1 → 0
  assert.equal(h.score, 0);
  assert.equal(
    durationScore({ spanSec: 86_400, firstSec: 0, lastSec: 86_000, totalBars: 5, longestRun: 5 }),
    0,
  );
  // coverage 0.25 rounded up; consistency 8/12 = 0.667 (rounded up)
  assert.equal(
    durationScore({ spanSec: 86_400, firstSec: 0, lastSec: 21_600, totalBars: 8, longestRun: 8 }),
    0.667,
  );
});

/** Deterministic inputs for both implementations (a small LCG; only the inputs are shared). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Case {
  start: number;
  end: number;
  ts: number[];
  bytes: number[];
}

function cases(): Case[] {
  const r = lcg(7);
  const out: Case[] = [];
  const day = 86_400;
  // jittered beacons of several periods, sizes with small noise
  for (const [period, jitter] of [
    [60, 2],
    [300, 20],
    [3600, 120],
    [900, 0],
  ] as const) {
    const ts: number[] = [];
    for (let t = Math.floor(r() * period); t < day; t += period)
      ts.push(Math.max(0, Math.min(day - 1, t + Math.round((r() - 0.5) * 2 * jitter))));
    out.push({ start: 0, end: day, ts, bytes: ts.map(() => 500 + Math.round(r() * 40)) });
  }
  // irregular traffic: exponential gaps, working hours only, log-uniform sizes
  {
    const ts: number[] = [];
    for (let t = 8 * 3600; t < 18 * 3600; t += Math.max(1, Math.round(-Math.log(1 - r()) * 90))) ts.push(t);
    out.push({ start: 0, end: day, ts, bytes: ts.map(() => Math.round(200 * Math.exp(r() * 5))) });
  }
  // a daily backup: one burst
  {
    const ts = Array.from({ length: 30 }, (_, i) => 2 * 3600 + i * 17 + Math.round(r() * 5));
    out.push({ start: 0, end: day, ts, bytes: ts.map(() => Math.round(1e6 * (1 + r() * 50))) });
  }
  // bimodal hours (busy daytime, quiet night), duplicate timestamps, tiny sizes (median below 1)
  {
    const ts: number[] = [];
    for (let h = 0; h < 24; h++) {
      const n = h >= 8 && h < 18 ? 20 : 6;
      for (let i = 0; i < n; i++) ts.push(h * 3600 + Math.floor((i * 3600) / n));
    }
    ts.push(ts[5]!, ts[5]!);
    out.push({ start: 0, end: day, ts, bytes: ts.map((_, i) => (i % 3 === 0 ? 1 : 0)) });
  }
  // random short-lived pairs
  for (let k = 0; k < 20; k++) {
    const n = 4 + Math.floor(r() * 60);
    const ts = Array.from({ length: n }, () => Math.floor(r() * day)).sort((a, b) => a - b);
    out.push({ start: 0, end: day, ts, bytes: ts.map(() => Math.round(r() * 5000)) });
  }
  return out;
}

test('sub-scores and score agree with the independent Python implementation of RITA', () => {
  const input = cases();
  const script = fileURLToPath(new URL('../oracle/rita_beacons.py', import.meta.url));
  const expected = JSON.parse(
    execFileSync('python3', [script], { input: JSON.stringify(input), encoding: 'utf8' }),
  ) as { timestamp: number; dataSize: number; histogram: number; duration: number; score: number }[];
  assert.equal(expected.length, input.length);
  let beacons = 0;
  input.forEach((c, i) => {
    const ours = scoreExact(
      { day: 'd', keys: ['a', 'b'], start: c.start * 1000, end: c.end * 1000 },
      c.ts.map((sec, j) => ({ sec, bytes: c.bytes[j]! })),
    )!;
    const e = expected[i]!;
    assert.deepEqual(
      {
        timestamp: ours.timestamp,
        dataSize: ours.dataSize,
        histogram: ours.histogram,
        duration: ours.duration,
        score: ours.score,
      },
      e,
      `case ${i}`,
    );
    if (e.score >= 0.7) beacons++;
  });
  // The cases must exercise both sides of the threshold, or the comparison proves little.
  assert.ok(beacons >= 4 && beacons < input.length - 10, `${beacons} of ${input.length} score ≥ 0.7`);
});

test('the table stage: exact histogram and consistency, an upper bound for the score', () => {
  const ts = Array.from({ length: 288 }, (_, i) => i * 300 + 17);
  const conns = ts.map((sec) => ({ sec, bytes: 1200 }));
  const rows = new Map<number, { t: number; count: number; bytes: number }>();
  for (const c of conns) {
    const t = Math.floor(c.sec / 900) * 900_000;
    const row = rows.get(t) ?? { t, count: 0, bytes: 0 };
    row.count++;
    row.bytes += c.bytes;
    rows.set(t, row);
  }
  const pair = { day: 'd', keys: ['s', 'd'], start: 0, end: 86_400_000 };
  const table = scoreFromTable({ ...pair, rows: [...rows.values()] })!;
  const exact = scoreExact(pair, conns)!;
  assert.deepEqual(table.bars, exact.bars);
  assert.equal(table.histogram, exact.histogram);
  assert.ok(table.upperBound >= exact.score);
  assert.equal(exact.interval, 300);
  assert.equal(exact.score, 1);
  assert.equal(
    scoreFromTable({ ...pair, rows: [{ t: 0, count: 3, bytes: 30 }] }),
    undefined,
    'below 4 connections',
  );
});
