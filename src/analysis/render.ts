import * as vega from 'vega';
import { compile } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { UsageError } from '../errors.js';
import type { Spec } from './chart.js';

/** Rendering specs headless in Node: Vega-Lite → Vega → SVG, and SVG → PNG with resvg. */

export async function renderSvg(spec: Spec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export function svgToPng(svg: string, scale = 1.5): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** Writes a chart as .svg or .png, chosen by the file's extension. */
export async function writeChart(path: string, spec: Spec): Promise<void> {
  const svg = await renderSvg(spec);
  if (path.endsWith('.svg')) return writeFileAtomic(path, svg);
  if (path.endsWith('.png')) return writeFileAtomic(path, svgToPng(svg));
  throw new UsageError(`${path}: charts are written as .svg or .png`);
}
