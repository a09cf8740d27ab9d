import * as vega from 'vega';
import { compile } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { UsageError } from '../errors.js';
import type { Spec } from './chart.js';

/**
 * Rendering specs headless in Node (the edge of the chart code): Vega-Lite → Vega → SVG with Vega's
 * own SVG renderer, and SVG → PNG with resvg. No browser and no network: the fonts are the system's
 * (DejaVu Sans, installed by .ci/run), the data is inline in the spec.
 */

/**
 * Renders a Vega-Lite spec to an SVG document. Warnings of Vega-Lite and Vega (a spec that asks for
 * something they ignore) go to `onWarning` instead of the console; the tests fail on any.
 */
export async function renderSvg(
  spec: Spec,
  onWarning: (message: string) => void = () => {},
): Promise<string> {
  const logger = collectingLogger(onWarning);
  const view = new vega.View(vega.parse(compile(spec as never, { logger }).spec), {
    renderer: 'none',
    logger,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// Vega and Vega-Lite log through this interface; errors still throw from the render itself.
function collectingLogger(onWarning: (message: string) => void): vega.LoggerInterface {
  let level = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(value?: number) {
      if (value === undefined) return level as never;
      level = value;
      return logger as never;
    },
    error: (...args: readonly unknown[]) => (onWarning(`error: ${args.map(String).join(' ')}`), logger),
    warn: (...args: readonly unknown[]) => (onWarning(args.map(String).join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/** Rasterises an SVG to PNG at `scale` × its size (1.5 by default, sharp on most screens). */
export function svgToPng(svg: string, scale = 1.5): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** The chart format a file name asks for; anything but .svg or .png is a usage error naming `flag`. */
export function chartFormat(path: string, flag: string): 'svg' | 'png' {
  if (path.endsWith('.svg')) return 'svg';
  if (path.endsWith('.png')) return 'png';
  throw new UsageError(`${flag} ${path}: charts are written as .svg or .png`);
}

/** Writes a chart as .svg or .png, chosen by the file's extension (atomically: never half a file). */
export async function writeChart(path: string, spec: Spec): Promise<void> {
  const format = chartFormat(path, 'chart');
  const svg = await renderSvg(spec);
  await writeFileAtomic(path, format === 'svg' ? svg : svgToPng(svg));
}
