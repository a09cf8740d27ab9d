import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denoise, softThreshold, universalThreshold } from '../../src/analysis/denoise.js';
import { mad, median, robustScores } from '../../src/analysis/robust.js';
import { anscombe, chooseStabiliser, inverseAnscombe } from '../../src/analysis/stabilise.js';
import { createRng } from '../../src/sample/generate.js';

/** A standard normal deviate (Box–Muller) from a seeded uniform generator. */
function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** A Poisson deviate: Knuth's product method for small means, a rounded normal for large ones. */
function poisson(rng: () => number, mean: number): number {
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng(); p > limit; p *= rng()) k++;
  return k;
}

const variance = (v: readonly number[]): number => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
};

test('median, MAD and robust z-scores on small known lists', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), 0);
  assert.equal(mad([1, 2, 3, 4, 100]), 1);
  const z = robustScores([10, 10, 11, 9, 10, 50]);
  // median 10, MAD 0.5 → σ̂ = 0.7413: the outlier is 54 σ away, the bulk within 1.35.
  assert.ok(Math.abs(z[5]! - 40 / (1.4826 * 0.5)) < 1e-9);
  assert.ok(z.slice(0, 5).every((v) => Math.abs(v) < 1.4));
  assert.deepEqual(robustScores([3, 3, 3, 3]), [0, 0, 0, 0], 'no spread: zeros, not NaN');
});

test('soft thresholding shrinks towards zero and kills what lies within the threshold', () => {
  assert.deepEqual(softThreshold([-5, -1, 0, 0.5, 2, 7], 1.5), [-3.5, -0, 0, 0, 0.5, 5.5]);
});

test('the universal threshold is σ·√(2 ln n) with σ from the median absolute detail / 0.6745', () => {
  const { sigma, threshold } = universalThreshold([0.6745, -0.6745, 0.6745, -100], 1024);
  assert.ok(Math.abs(sigma - 1) < 1e-12, 'one large coefficient does not move σ');
  assert.ok(Math.abs(threshold - Math.sqrt(2 * Math.log(1024))) < 1e-12);
});

test('denoising (db4, level 4: the defaults) brings a noisy daily curve much closer to the clean one, and flattens pure noise', () => {
  const rng = createRng(9);
  const clean = Array.from({ length: 96 * 7 }, (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i) / 96));
  const noisy = clean.map((v) => v + 8 * gaussian(rng));
  const { denoised, sigma } = denoise(noisy, 'db4', 4);
  assert.ok(Math.abs(sigma - 8) < 1.2, `σ estimated ${sigma}, true 8`);
  const rmse = (a: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - clean[i]!) ** 2, 0) / a.length);
  assert.ok(rmse(denoised) < 0.4 * rmse(noisy), `${rmse(denoised)} vs ${rmse(noisy)}`);

  const noise = Array.from({ length: 1024 }, () => gaussian(rng));
  const flat = denoise(noise, 'db4', 4).denoised;
  assert.ok(Math.sqrt(variance(flat)) < 0.25, 'at the universal threshold almost no noise survives');
});

test('Anscombe makes Poisson noise about 1 at every level, and inverts exactly', () => {
  const rng = createRng(11);
  for (const mean of [5, 20, 100, 800]) {
    const sample = Array.from({ length: 4000 }, () => poisson(rng, mean));
    const v = variance(anscombe(sample));
    assert.ok(v > 0.85 && v < 1.15, `mean ${mean}: variance ${v} after the transform`);
  }
  const x = [0, 1, 2.5, 17, 123456];
  assert.ok(inverseAnscombe(anscombe(x)).every((v, i) => Math.abs(v - x[i]!) < 1e-6));
  assert.equal(chooseStabiliser([0, 3, 5], 'anscombe'), 'anscombe');
  assert.equal(chooseStabiliser([2, -1, 5], 'anscombe'), 'none', 'negative values cannot be counts');
  assert.equal(chooseStabiliser([2, 3], 'none'), 'none');
});
