import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  bandEnergies,
  maxLevel,
  reconstructionError,
  wavedec,
  waveletNames,
  waverec,
  WAVELETS,
} from '../../src/analysis/wavelet.js';
import { createRng } from '../../src/sample/generate.js';

// Coefficients computed by PyWavelets (see the fixture's "source"), the reference the original
// Python analysis used: ours must agree to rounding.
const reference = JSON.parse(
  readFileSync(new URL('../fixtures/pywt-periodization.json', import.meta.url), 'utf8'),
) as {
  filters: Record<string, number[]>;
  inputs: Record<string, number[]>;
  cases: { input: string; wavelet: string; level: number; coefficients: number[][] }[];
};

const maxAbsDiff = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test('decomposition matches PyWavelets wavedec(mode="periodization") coefficient for coefficient', () => {
  assert.ok(reference.cases.length >= 28);
  for (const c of reference.cases) {
    const ours = wavedec(reference.inputs[c.input]!, c.wavelet, c.level).coefficients;
    assert.deepEqual(
      ours.map((band) => band.length),
      c.coefficients.map((band) => band.length),
      `${c.input} ${c.wavelet} level ${c.level}: band lengths`,
    );
    c.coefficients.forEach((band, i) => {
      const err = maxAbsDiff(ours[i]!, band);
      assert.ok(err < 1e-11, `${c.input} ${c.wavelet} level ${c.level} band ${i}: off by ${err}`);
    });
  }
});

test('the filters are PyWavelets’ and orthonormal to machine precision', () => {
  assert.deepEqual(waveletNames().sort(), ['db1', 'db2', 'db3', 'db4', 'haar']);
  for (const [name, published] of Object.entries(reference.filters)) {
    const h = WAVELETS[name]!;
    assert.ok(maxAbsDiff(h, published) < 1e-10, `${name} differs from PyWavelets`);
    assert.ok(Math.abs(h.reduce((s, v) => s + v, 0) - Math.SQRT2) < 1e-14, `${name}: Σh = √2`);
    for (let m = 0; 2 * m < h.length; m++) {
      const dot = h.reduce((s, v, k) => s + v * (h[k + 2 * m] ?? 0), 0);
      assert.ok(Math.abs(dot - (m === 0 ? 1 : 0)) < 1e-15, `${name}: shift ${m} gives ${dot}`);
    }
  }
  // db2 in closed form: (1−√3, 3−√3, 3+√3, 1+√3) / (4√2).
  const s3 = Math.sqrt(3);
  const db2 = [1 - s3, 3 - s3, 3 + s3, 1 + s3].map((v) => v / (4 * Math.SQRT2));
  assert.ok(maxAbsDiff(WAVELETS.db2!, db2) < 1e-15);
});

test('haar on a hand-computed example', () => {
  const { coefficients } = wavedec([4, 2, 5, 5], 'haar', 1);
  const r = Math.SQRT1_2;
  assert.ok(maxAbsDiff(coefficients[0]!, [6 * r, 10 * r]) < 1e-15);
  assert.ok(maxAbsDiff(coefficients[1]!, [2 * r, 0]) < 1e-15);
  const two = wavedec([4, 2, 5, 5], 'haar', 2).coefficients;
  assert.ok(maxAbsDiff(two[0]!, [8]) < 1e-14, 'the level-2 approximation of 4 values is their sum / 2');
  assert.ok(maxAbsDiff(two[1]!, [-2]) < 1e-14);
});

test('decomposition followed by reconstruction returns the input within 1e-9 (any length, every wavelet, every level)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 2, maxLength: 700 }),
      fc.constantFrom(...waveletNames()),
      fc.integer({ min: 1, max: 8 }),
      (x, wavelet, level) => {
        const back = waverec(wavedec(x, wavelet, level));
        assert.equal(back.length, x.length);
        const err = maxAbsDiff(back, x);
        assert.ok(err < 1e-9, `${wavelet} level ${level} n ${x.length}: ${err}`);
      },
    ),
    { numRuns: 400 },
  );
  // The series the analysis really sees: 30 days of 15-minute counts.
  const rng = createRng(3);
  const month = Array.from({ length: 2880 }, (_, i) => Math.round(200 + 150 * Math.sin(i / 15) + rng() * 40));
  for (const w of waveletNames()) assert.ok(reconstructionError(month, w, maxLevel(month.length, w)) < 1e-9);
});

test('the transform is orthogonal: energy is preserved when no level needs padding', () => {
  const rng = createRng(5);
  const x = Array.from({ length: 672 }, () => rng() * 100);
  const energy = x.reduce((s, v) => s + v * v, 0);
  for (const w of waveletNames()) {
    const bands = bandEnergies(wavedec(x, w, 5));
    assert.ok(Math.abs(bands.reduce((s, e) => s + e, 0) - energy) / energy < 1e-12, w);
  }
});

test('vanishing moments: a constant has no details, and db2–db4 see no detail in a straight line', () => {
  const constant = new Array<number>(96).fill(7);
  for (const w of waveletNames()) {
    const [, ...details] = wavedec(constant, w, 3).coefficients;
    assert.ok(Math.max(...details.flat().map(Math.abs)) < 1e-12, w);
  }
  const ramp = Array.from({ length: 96 }, (_, i) => 3 * i + 1);
  for (const w of ['db2', 'db3', 'db4']) {
    const finest = wavedec(ramp, w, 1).coefficients[1]!;
    // Away from the wrap-around of the periodisation, where the ramp jumps from its end to its start.
    const edge = WAVELETS[w]!.length / 2;
    const interior = finest.slice(edge, finest.length - edge);
    assert.ok(Math.max(...interior.map(Math.abs)) < 1e-9, w);
  }
});

test('maxLevel is PyWavelets’ dwt_max_level, and bad input is refused', () => {
  assert.equal(maxLevel(672, 'db4'), 6);
  assert.equal(maxLevel(672, 'haar'), 9);
  assert.equal(maxLevel(2880, 'db2'), 9);
  assert.equal(maxLevel(4, 'db4'), 1);
  assert.throws(() => wavedec([1, 2, 3, 4], 'db9', 1), /unknown wavelet "db9": use one of haar/);
  assert.throws(() => wavedec([1, 2, 3, 4], 'db2', 0), /level 0/);
  assert.throws(() => wavedec([1], 'db2', 1), /at least 2 values/);
});
