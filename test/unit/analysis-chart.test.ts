import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  gapBands,
  lineChartSpec,
  metricAxis,
  topNChartSpec,
  waveletChartSpec,
  type Spec,
} from '../../src/analysis/chart.js';
import { renderSvg, svgToPng } from '../../src/analysis/render.js';
import { decodePng, countColourPixels, countInkPixels, pngSize } from '../helpers/png.js';

const t0 = Date.parse('2026-11-22T00:00:00Z');
/** Three days of a daily curve; the middle day is missing (null). */
const points = Array.from({ length: 3 * 96 }, (_, i) => ({
  t: t0 + i * 900_000,
  value: i >= 96 && i < 192 ? null : Math.round(100 + 80 * Math.sin((2 * Math.PI * i) / 96)),
}));
const gaps = gapBands(
  [{ name: 'dns', days: [{ day: '2026-11-23', status: 'missing', detail: 'no file' }] }],
  'UTC',
);

async function render(spec: Spec): Promise<string> {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, (w) => warnings.push(w));
  assert.deepEqual(warnings, [], 'Vega and Vega-Lite accept the spec without a warning');
  return svg;
}

const pathCommands = (svg: string, stroke: string): number[] =>
  [...svg.matchAll(/<path[^>]*aria-roledescription="line mark" d="([^"]+)"[^>]*stroke="([^"]+)"/g)]
    .filter((m) => m[2] === stroke)
    .map((m) => (m[1]!.match(/M/g) ?? []).length);

test('gap bands name each day without complete data, its status and the tables', () => {
  const bands = gapBands(
    [
      {
        name: 'dns',
        days: [
          { day: '2026-11-20', status: 'missing', detail: '' },
          { day: '2026-11-21', status: 'partial', detail: '' },
        ],
      },
      {
        name: 'tls',
        days: [
          { day: '2026-11-20', status: 'missing', detail: '' },
          { day: '2026-11-21', status: 'ok', detail: '' },
        ],
      },
    ],
    'Europe/Berlin',
  );
  assert.deepEqual(bands, [
    {
      start: Date.parse('2026-11-19T23:00:00Z'),
      end: Date.parse('2026-11-20T23:00:00Z'),
      label: '2026-11-20: missing',
    },
    {
      start: Date.parse('2026-11-20T23:00:00Z'),
      end: Date.parse('2026-11-21T23:00:00Z'),
      label: '2026-11-21: partial (dns)',
    },
  ]);
  assert.deepEqual(metricAxis('count', '1h'), { title: 'documents per hour', format: ',~f' });
  assert.deepEqual(metricAxis('bytes', '15m'), { title: 'bytes per 15 min', format: '.3~s' });
});

test('a line chart keeps nulls (a gap breaks the line) and has a UTC axis, units, a legend and the gaps named', async () => {
  const spec = lineChartSpec({
    title: 'dns, tls: count per 15 min',
    metric: 'count',
    step: '15m',
    series: [
      { name: 'dns', points },
      { name: 'tls', points: points.map((p) => ({ ...p, value: p.value === null ? null : p.value / 2 })) },
    ],
    gaps,
  });
  const layers = spec.layer as Spec[];
  const values = ((layers[1]!.data as Spec).values as { value: number | null }[]).map((v) => v.value);
  assert.equal(values.filter((v) => v === null).length, 2 * 96, 'the missing day stays null, not 0');
  const svg = await render(spec);
  assert.match(svg, />time \(UTC\)</);
  assert.match(svg, />documents per 15 min</);
  assert.match(svg, />dns, tls: count per 15 min</);
  assert.match(svg, /grey: no complete data for 2026-11-23: missing \(dns\)/);
  assert.match(svg, />dns<\/text>/);
  assert.match(svg, />tls<\/text>/);
  // Vega's first categorical colours: each line is drawn as two pieces, broken at the gap.
  assert.deepEqual(pathCommands(svg, '#4c78a8'), [2]);
  assert.deepEqual(pathCommands(svg, '#f58518'), [2]);
});

test('the time axis is UTC whatever the zone of the analyst’s machine', async () => {
  const spec = lineChartSpec({ title: 't', metric: 'count', step: '15m', series: [{ name: 'dns', points }] });
  const before = process.env.TZ;
  try {
    process.env.TZ = 'UTC';
    const utc = await render(spec);
    process.env.TZ = 'America/New_York';
    assert.equal(new Date(t0).getHours(), 19, 'the zone change took effect');
    assert.equal(await render(spec), utc);
    assert.match(utc, />Nov 22 00:00</);
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

test('a PNG chart renders at the expected size, with its lines, anomaly marks and gap band drawn', async () => {
  const spec = (values: typeof points) =>
    waveletChartSpec({
      title: 'dns: count per 15 min',
      metric: 'count',
      wavelet: 'db4',
      threshold: 5,
      points: values,
      denoised: values.map((p) => ({ ...p, value: p.value === null ? null : p.value + 5 })),
      anomalies: [{ t: t0 + 40 * 900_000, value: 400, score: 12 }],
      gaps,
    });
  const svg = await render(spec(points));
  const width = Number(/<svg[^>]+width="(\d+)"/.exec(svg)![1]);
  const height = Number(/<svg[^>]+height="(\d+)"/.exec(svg)![1]);
  assert.ok(width > 1000 && height > 300, `${width}×${height}`);
  assert.match(svg, />denoised \(db4\)</);
  assert.match(svg, />anomaly \(score &gt; 5\)</);

  const png = svgToPng(svg, 1.5);
  assert.deepEqual(pngSize(png), { width: Math.round(width * 1.5), height: Math.round(height * 1.5) });
  const image = decodePng(png);
  // The same chart without data (axes, grid, titles, legend only) is the yardstick for "not blank".
  const empty = decodePng(svgToPng(await renderSvg(spec(points.map((p) => ({ ...p, value: null })))), 1.5));
  const ink = countInkPixels(image);
  assert.ok(
    ink > countInkPixels(empty) + 5_000,
    `${ink} non-white pixels, ${countInkPixels(empty)} without data`,
  );
  assert.ok(ink < 0.5 * image.width * image.height, 'mostly white background');
  assert.ok(countColourPixels(image, [0xd9, 0x5f, 0x02]) > 1000, 'the orange denoised line is drawn');
  assert.ok(countColourPixels(image, [0x6b, 0xae, 0xd6], 20) > 500, 'the blue series is drawn');
  assert.ok(countColourPixels(image, [0xd6, 0x27, 0x28], 30) > 50, 'the red anomaly circle is drawn');
  assert.ok(countColourPixels(image, [0xee, 0xee, 0xee], 6) > 20_000, 'the grey gap band is drawn');
});

test('a top-N chart ranks its bars largest first with SI units', async () => {
  const svg = await render(
    topNChartSpec({
      title: 'websites: top 3 domains by bytes',
      metric: 'bytes',
      xTitle: 'bytes, total',
      rows: [
        { key: 'b.example', value: 2.5e9 },
        { key: 'a.example', value: 9e8 },
        { key: 'c.example', value: 4e9 },
      ],
    }),
  );
  const labels = [...svg.matchAll(/>([abc]\.example)</g)].map((m) => m[1]);
  assert.deepEqual(labels, ['c.example', 'b.example', 'a.example']);
  assert.match(svg, />4G</);
});
