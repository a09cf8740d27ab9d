import type { Spec } from './chart.js';

/**
 * The beacon strip charts: per flagged (pair, day), its connections per hour of the day, one strip under
 * the other on a shared hour axis, so a beacon's flat comb and a decoy's hump read at a glance. Pure.
 */

export interface BeaconStrip {
  /** e.g. "2026-11-24  a44d…  → telemetry-relay.net  score 0.990 · every 60 s". */
  readonly label: string;
  /** Connections per hour from the day's start. */
  readonly bars: readonly number[];
}

const WIDTH = 820;

export function beaconStripsSpec(options: {
  title: string;
  timeZone: string;
  strips: readonly BeaconStrip[];
}): Spec {
  const last = options.strips.length - 1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: options.title, anchor: 'start' },
    background: 'white',
    padding: 10,
    spacing: 8,
    config: { font: 'DejaVu Sans, Arial, sans-serif', view: { stroke: '#ddd' } },
    vconcat: options.strips.map((s, i) => ({
      title: { text: s.label, anchor: 'start', fontSize: 11, fontWeight: 'normal', offset: 2 },
      width: WIDTH,
      height: 34,
      data: { values: s.bars.map((connections, hour) => ({ hour, connections })) },
      mark: { type: 'bar', color: '#4c78a8' },
      encoding: {
        x: {
          field: 'hour',
          type: 'ordinal',
          title: i === last ? `hour of the day (${options.timeZone})` : null,
          axis: { labelAngle: 0, labels: i === last, ticks: i === last },
        },
        y: {
          field: 'connections',
          type: 'quantitative',
          title: null,
          scale: { zero: true },
          axis: { tickCount: 2, format: ',~f', grid: false },
        },
      },
    })),
  };
}
