import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { denoise, wavedec, waverec, WAVELETS } from '../../src/analysis/wavelet.js';
import { detectAnomalies } from '../../src/analysis/anomalies.js';
import { detectInSeries } from '../../src/analysis/run.js';
import { resample } from '../../src/analysis/resample.js';
import { lineChartSpec } from '../../src/analysis/chart.js';
import { renderSvg, svgToPng } from '../../src/analysis/render.js';
import { buildReportHtml } from '../../src/analysis/report.js';
import { anomalyTimestamps, createRng, generateDay } from '../../src/sample/generate.js';
import { accumulateExpected, emptyExpectedDay } from '../../src/sample/expected.js';
import { addDays } from '../../src/time/day.js';
import { Resvg } from '@resvg/resvg-js';

const generated = new Map<string, ReturnType<typeof emptyExpectedDay>>();
function series(
  days: string[],
  protocol: 'dns' | 'tls' | 'flow',
  options: { seed: number; anomalyDay?: string },
) {
  const out: { t: number; value: number; timestamp: string }[] = [];
  for (const d of days) {
    const key = `${options.seed}/${d}/${d === options.anomalyDay}`;
    let e = generated.get(key);
    if (!e) {
      e = emptyExpectedDay(d);
      for (const doc of generateDay(d, {
        seed: options.seed,
        docsPerDay: 20000,
        anomalies: d === options.anomalyDay,
      }))
        accumulateExpected(e, doc);
      generated.set(key, e);
    }
    for (const [timestamp, b] of Object.entries(e.protocols[protocol]))
      out.push({ t: Date.parse(timestamp), value: b.count, timestamp });
  }
  return out;
}

test('decomposition followed by reconstruction returns the input within 1e-9', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 16, maxLength: 700 }),
      fc.constantFrom(...Object.keys(WAVELETS)),
      fc.integer({ min: 1, max: 4 }),
      (x, wavelet, level) => {
        const back = waverec(wavedec(x, wavelet, level));
        assert.equal(back.length, x.length);
        const err = Math.max(...back.map((v, i) => Math.abs(v - x[i]!)));
        assert.ok(err < 1e-9, `${wavelet} level ${level} n ${x.length}: ${err}`);
      },
    ),
    { numRuns: 300 },
  );
});

test('the db4 filter is orthonormal: energy is preserved', () => {
  const rng = createRng(5);
  const x = Array.from({ length: 512 }, () => rng() * 100);
  const energy = (v: number[]) => v.reduce((s, a) => s + a * a, 0);
  const dec = wavedec(x, 'db4', 5);
  assert.ok(Math.abs(energy(dec.coefficients.flat()) - energy(x)) / energy(x) < 1e-12);
});

test('denoising brings a noisy sine closer to the clean one', () => {
  const rng = createRng(9);
  const clean = Array.from({ length: 1024 }, (_, i) => 50 * Math.sin((2 * Math.PI * i) / 96));
  const noisy = clean.map((v) => v + (rng() - 0.5) * 20);
  const { denoised } = denoise(noisy, 'db4', 4);
  const rmse = (a: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - clean[i]!) ** 2, 0) / a.length);
  assert.ok(rmse(denoised) < 0.6 * rmse(noisy), `${rmse(denoised)} vs ${rmse(noisy)}`);
});

test('the injected DNS spike and the beacon are found at their exact timestamps', () => {
  const days = Array.from({ length: 7 }, (_, i) => addDays('2026-11-18', i));
  const { spike, beacon } = anomalyTimestamps('2026-11-24');
  const dns = series(days, 'dns', { seed: 42, anomalyDay: '2026-11-24' });
  assert.deepEqual(
    detectAnomalies(dns.map((p) => p.value)).anomalies.map((a) => dns[a.index]!.timestamp),
    spike,
  );
  const tls = series(days, 'tls', { seed: 42, anomalyDay: '2026-11-24' });
  assert.deepEqual(
    detectAnomalies(tls.map((p) => p.value)).anomalies.map((a) => tls[a.index]!.timestamp),
    beacon,
  );
  // The beacon goes through the flow table too.
  const flow = series(days, 'flow', { seed: 42, anomalyDay: '2026-11-24' });
  assert.deepEqual(
    detectAnomalies(flow.map((p) => p.value)).anomalies.map((a) => flow[a.index]!.timestamp),
    beacon,
  );
});

test('seeded clean series give at most one false positive per 30 days', () => {
  const days = Array.from({ length: 30 }, (_, i) => addDays('2026-10-01', i));
  for (const seed of [1, 2, 3, 4]) {
    for (const protocol of ['dns', 'tls'] as const) {
      const s = series(days, protocol, { seed });
      const found = detectAnomalies(s.map((p) => p.value)).anomalies.length;
      assert.ok(found <= 1, `seed ${seed} ${protocol}: ${found} false positives`);
    }
  }
});

test('gaps are never filled: each complete stretch is analysed on its own', () => {
  const days = Array.from({ length: 6 }, (_, i) => addDays('2026-11-19', i));
  const s = series(days, 'dns', { seed: 42, anomalyDay: '2026-11-24' }).map((p, i) => ({
    t: p.t,
    value: i >= 96 && i < 192 ? null : p.value,
  }));
  const { anomalies, denoised, skippedPoints } = detectInSeries(s, { wavelet: 'db4', threshold: 5 });
  assert.equal(skippedPoints, 96, 'the single day before the gap is too short to analyse');
  assert.deepEqual(
    anomalies.map((a) => a.timestamp),
    ['2026-11-24T14:00:00Z'],
  );
  assert.equal(denoised[100]!.value, null);
});

test('resampling sums per step and keeps gaps', () => {
  const t0 = Date.parse('2026-11-24T00:00:00Z');
  const pts = Array.from({ length: 8 }, (_, i) => ({ t: t0 + i * 900_000, value: i === 5 ? null : i }));
  assert.deepEqual(resample(pts, 3_600_000), [
    { t: t0, value: 0 + 1 + 2 + 3 },
    { t: t0 + 3_600_000, value: null },
  ]);
});

test('a PNG chart renders at the expected size and is not blank', async () => {
  const t0 = Date.parse('2026-11-24T00:00:00Z');
  const spec = lineChartSpec({
    title: 'test',
    yTitle: 'documents per 15 min',
    series: [
      {
        name: 'dns',
        points: Array.from({ length: 96 }, (_, i) => ({
          t: t0 + i * 900_000,
          value: 50 + 40 * Math.sin(i / 10),
        })),
      },
    ],
  });
  const svg = await renderSvg(spec);
  assert.match(svg, /<svg[^>]+width="(\d+)"/);
  const png = svgToPng(svg, 1);
  assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const svgWidth = Number(/<svg[^>]+width="(\d+)"/.exec(svg)![1]);
  assert.equal(width, svgWidth);
  assert.ok(width > 900 && height > 250, `${width}×${height}`);
  const pixels = new Resvg(svg, { background: 'white' }).render().pixels;
  let coloured = 0;
  for (let i = 0; i < pixels.length; i += 4)
    if (pixels[i]! < 200 || pixels[i + 1]! < 200 || pixels[i + 2]! < 200) coloured++;
  assert.ok(coloured > 2000, `${coloured} non-white pixels`);
});

test('the report escapes text and inlines charts without any script or external resource', () => {
  const html = buildReportHtml({
    title: 'r <1>',
    generatedAt: 'now',
    from: 'a',
    to: 'b',
    sections: [
      { table: 'dns', description: 'x & y', chartSvg: '<?xml version="1.0"?><svg></svg>', anomalies: [] },
    ],
    completeness: [
      { table: 'dns', ok: 6, problems: [{ day: '2026-11-20', status: 'missing', detail: 'no file' }] },
    ],
  });
  assert.match(html, /<title>r &lt;1&gt;<\/title>/);
  assert.match(html, /x &amp; y/);
  assert.doesNotMatch(html, /<\?xml|<script|src="http|href="http/);
  assert.match(html, /2026-11-20 missing \(no file\)/);
});
