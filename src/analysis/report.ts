import type { StoredDayCheck } from '../store/check-day.js';

/**
 * The self-contained HTML report: a summary, the data completeness of every table day by day, and per
 * table its charts (inline SVG) and anomalies. No script, no stylesheet or font from elsewhere, no
 * image by URL: it opens offline, from a mail attachment as well as from disk. Pure.
 */

interface ReportAnomaly {
  readonly timestamp: string;
  readonly value: number;
  readonly expected: number;
  readonly score: number;
}

export interface ReportSection {
  readonly table: string;
  readonly description: string;
  /** SVG documents, shown in order. */
  readonly charts: readonly string[];
  /** Undefined for tables that are not analysed for anomalies (flow tables). */
  readonly anomalies?: readonly ReportAnomaly[];
  /** A sentence under the charts, e.g. what was not analysed. */
  readonly note?: string;
}

interface CompletenessRow {
  readonly table: string;
  readonly days: readonly Pick<StoredDayCheck, 'day' | 'status' | 'detail'>[];
}

/** One flagged (pair, day) of the Beacons section. */
interface ReportBeacon {
  readonly day: string;
  readonly keys: readonly string[];
  readonly score: number;
  readonly timestamp: number | null;
  readonly dataSize: number;
  readonly histogram: number;
  readonly duration: number;
  readonly connections: number;
  /** e.g. "5 min". */
  readonly every: string;
  readonly exact: boolean;
}

export interface ReportBeacons {
  readonly table: string;
  /** The key columns, e.g. source, destination. */
  readonly columns: readonly string[];
  /** How the scores were computed, one paragraph. */
  readonly method: string;
  readonly rows: readonly ReportBeacon[];
  /** The hourly strip chart of the rows (SVG), absent when there is none. */
  readonly chart?: string;
}

export interface ReportInput {
  readonly title: string;
  readonly generatedAt: string;
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  /** One paragraph on how anomalies were found. */
  readonly method: string;
  readonly sections: readonly ReportSection[];
  readonly completeness: readonly CompletenessRow[];
  /** The Beacons section, when a flow table could be scored. */
  readonly beacons?: ReportBeacons;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** An SVG document made fit to sit inline in HTML: no XML prolog, scaled by CSS, labelled. */
export function inlineSvg(svg: string, label: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/^<svg\b/, `<svg role="img" aria-label="${escapeHtml(label)}"`);
}

const STATUS_CLASS: Record<string, string> = {
  ok: 'ok',
  missing: 'missing',
  partial: 'partial',
  incomplete: 'bad',
  corrupt: 'bad',
  drift: 'bad',
};

function fmt(n: number): string {
  return Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function completenessGrid(rows: readonly CompletenessRow[]): string {
  const days = rows[0]?.days.map((d) => d.day) ?? [];
  const head = days
    .map((d, i) => {
      // The month only where it changes, so that 30 columns stay narrow.
      const label = i === 0 || d.slice(8) === '01' ? `${d.slice(5, 7)}-${d.slice(8)}` : d.slice(8);
      return `<th scope="col" title="${d}">${label}</th>`;
    })
    .join('');
  const body = rows
    .map((r) => {
      const ok = r.days.filter((d) => d.status === 'ok').length;
      const cells = r.days
        .map(
          (d) =>
            `<td class="${STATUS_CLASS[d.status] ?? 'bad'}" title="${escapeHtml(`${d.day} ${d.status}${d.detail ? `: ${d.detail}` : ''}`)}">${d.status === 'ok' ? '' : escapeHtml(d.status[0]!.toUpperCase())}</td>`,
        )
        .join('');
      return `<tr><th scope="row">${escapeHtml(r.table)}</th>${cells}<td class="count">${ok}/${r.days.length}</td></tr>`;
    })
    .join('\n');
  const problems = rows.flatMap((r) =>
    r.days
      .filter((d) => d.status !== 'ok')
      .map(
        (d) =>
          `<li>${escapeHtml(r.table)} ${escapeHtml(d.day)}: ${escapeHtml(d.status)}${d.detail ? ` (${escapeHtml(d.detail)})` : ''}</li>`,
      ),
  );
  return `<div class="grid-wrap"><table class="grid"><thead><tr><th></th>${head}<th>complete</th></tr></thead><tbody>
${body}
</tbody></table></div>
<p class="legend"><span class="sw ok"></span> complete <span class="sw missing"></span> M missing <span class="sw partial"></span> P partial (written before the day was over) <span class="sw bad"></span> I/C incomplete or corrupt. Days without a complete file are gaps in the charts, never zeros.</p>
${
  problems.length === 0
    ? '<p class="good">Every day of every table is complete.</p>'
    : `<details${problems.length <= 12 ? ' open' : ''}><summary>${problems.length} day file(s) missing or not complete</summary><ul class="problems">${problems.join('')}</ul></details>`
}`;
}

function anomalyTable(anomalies: readonly ReportAnomaly[]): string {
  if (anomalies.length === 0) return '<p class="good">No anomalies.</p>';
  const rows = anomalies
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.timestamp)}</td><td class="num">${fmt(a.value)}</td><td class="num">${fmt(Math.round(a.expected * 10) / 10)}</td><td class="num">${a.score.toFixed(1)}</td></tr>`,
    )
    .join('');
  return `<table class="anomalies"><thead><tr><th>timestamp (UTC)</th><th>value</th><th>expected</th><th>score</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function beaconSection(b: ReportBeacons): string {
  const score = (x: number | null) => (x === null ? '—' : x.toFixed(3));
  const rows = b.rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.day)}</td>${r.keys.map((k) => `<td class="key">${escapeHtml(k)}</td>`).join('')}<td class="num${r.score >= 0.7 ? ' alert' : ''}">${score(r.score)}</td><td class="num">${score(r.timestamp)}</td><td class="num">${score(r.dataSize)}</td><td class="num">${score(r.histogram)}</td><td class="num">${score(r.duration)}</td><td class="num">${fmt(r.connections)}</td><td class="num">${escapeHtml(r.every)}</td><td>${r.exact ? 'exact' : 'day files'}</td></tr>`,
    )
    .join('');
  const head = `<tr><th>day</th>${b.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}<th>score</th><th>timestamp</th><th>data size</th><th>histogram</th><th>duration</th><th>connections</th><th>every</th><th>scored from</th></tr>`;
  return `<section id="beacons">
<h2>Beacons: ${escapeHtml(b.table)}</h2>
<p class="muted">${escapeHtml(b.method)}</p>
${
  b.rows.length === 0
    ? '<p class="good">No pair scores high enough to show.</p>'
    : `<div class="grid-wrap"><table class="beacons"><thead>${head}</thead><tbody>${rows}</tbody></table></div>`
}
${b.chart ? `<figure class="chart">${inlineSvg(b.chart, `${b.table} beacons: connections per hour`)}</figure>` : ''}
</section>`;
}

/** The whole report as one HTML document. */
export function buildReportHtml(input: ReportInput): string {
  const summary = input.sections
    .map((s) => {
      const row = input.completeness.find((c) => c.table === s.table);
      const ok = row?.days.filter((d) => d.status === 'ok').length ?? 0;
      const total = row?.days.length ?? 0;
      const anomalies =
        s.anomalies === undefined
          ? '<td class="num muted">—</td>'
          : `<td class="num${s.anomalies.length ? ' alert' : ''}">${s.anomalies.length}</td>`;
      return `<tr><td><a href="#t-${escapeHtml(s.table)}">${escapeHtml(s.table)}</a></td><td class="num${ok < total ? ' alert' : ''}">${ok}/${total}</td>${anomalies}</tr>`;
    })
    .join('');
  const sections = input.sections
    .map(
      (s) => `<section id="t-${escapeHtml(s.table)}">
<h2>${escapeHtml(s.table)}</h2>
<p class="muted">${escapeHtml(s.description)}</p>
${s.charts.map((svg, i) => `<figure class="chart">${inlineSvg(svg, `${s.table} chart ${i + 1}`)}</figure>`).join('\n')}
${s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : ''}
${s.anomalies === undefined ? '' : anomalyTable(s.anomalies)}
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.5em auto; max-width: 1180px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
td, th { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #666; } .good { color: #1a7f37; } .alert { color: #b42318; font-weight: bold; } .note { color: #8a5a00; }
.grid-wrap { overflow-x: auto; }
table.grid { font-size: .75em; } table.grid td, table.grid th { padding: 2px 3px; min-width: 1.4em; text-align: center; }
table.grid th[scope=row] { text-align: left; white-space: nowrap; }
td.ok { background: #c7e9c0; } td.missing { background: #fcbba1; } td.partial { background: #fee391; } td.bad { background: #fb6a4a; color: #fff; }
td.count { background: #fff; white-space: nowrap; }
.legend .sw { display: inline-block; width: .9em; height: .9em; border: 1px solid #aaa; vertical-align: middle; margin-left: .8em; }
.sw.ok { background: #c7e9c0; } .sw.missing { background: #fcbba1; } .sw.partial { background: #fee391; } .sw.bad { background: #fb6a4a; }
figure.chart { margin: .5em 0; } figure.chart svg { width: 100%; height: auto; display: block; }
ul.problems { columns: 2; font-size: .85em; }
table.beacons td.key { font-family: "DejaVu Sans Mono", monospace; font-size: .9em; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="muted">Days ${escapeHtml(input.from)} to ${escapeHtml(input.to)} (${escapeHtml(input.timeZone)}); times in the charts and tables are UTC. Generated ${escapeHtml(input.generatedAt)} by netlog.</p>
<h2>Summary</h2>
<table class="summary"><thead><tr><th>table</th><th>complete days</th><th>anomalies</th></tr></thead><tbody>${summary}</tbody></table>
<p class="muted">${escapeHtml(input.method)}</p>
<h2>Data completeness</h2>
${completenessGrid(input.completeness)}
${sections}
${input.beacons ? beaconSection(input.beacons) : ''}
</body>
</html>
`;
}
