/**
 * The self-contained HTML report: every chart inline as SVG, the anomaly tables and the completeness
 * summary, no script, no external resource, so it opens anywhere without a network. Pure.
 */

export interface ReportSection {
  readonly table: string;
  readonly description: string;
  readonly chartSvg: string;
  readonly anomalies?: readonly { timestamp: string; value: number; expected: number; score: number }[];
  readonly extraSvg?: string;
}

export interface CompletenessRow {
  readonly table: string;
  readonly ok: number;
  readonly problems: readonly { day: string; status: string; detail: string }[];
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Strips the XML prolog so an SVG can sit inline in HTML. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

export function buildReportHtml(options: {
  title: string;
  generatedAt: string;
  from: string;
  to: string;
  sections: readonly ReportSection[];
  completeness: readonly CompletenessRow[];
}): string {
  const completeness = options.completeness
    .map((c) => {
      const problems = c.problems
        .map(
          (p) =>
            `${escapeHtml(p.day)} ${escapeHtml(p.status)}${p.detail ? ` (${escapeHtml(p.detail)})` : ''}`,
        )
        .join('<br>');
      return `<tr class="${c.problems.length ? 'bad' : 'good'}"><td>${escapeHtml(c.table)}</td><td>${c.ok}</td><td>${c.problems.length}</td><td>${problems || '—'}</td></tr>`;
    })
    .join('\n');
  const sections = options.sections
    .map((s) => {
      const anomalies =
        s.anomalies === undefined
          ? ''
          : s.anomalies.length === 0
            ? '<p class="none">No anomalies.</p>'
            : `<table class="anomalies"><thead><tr><th>timestamp (UTC)</th><th>value</th><th>expected</th><th>score</th></tr></thead><tbody>${s.anomalies
                .map(
                  (a) =>
                    `<tr><td>${escapeHtml(a.timestamp)}</td><td>${a.value}</td><td>${a.expected.toFixed(1)}</td><td>${a.score.toFixed(1)}</td></tr>`,
                )
                .join('')}</tbody></table>`;
      return `<section id="${escapeHtml(s.table)}"><h2>${escapeHtml(s.table)}</h2><p>${escapeHtml(s.description)}</p><div class="chart">${inlineSvg(s.chartSvg)}</div>${s.extraSvg ? `<div class="chart">${inlineSvg(s.extraSvg)}</div>` : ''}${anomalies}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title)}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: .9em; }
td, th { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
tr.bad td { background: #fff1f0; } tr.good td:nth-child(3) { color: #2a7; }
.chart svg { max-width: 100%; height: auto; } .none { color: #2a7; }
nav a { margin-right: .8em; }
</style>
</head>
<body>
<h1>${escapeHtml(options.title)}</h1>
<p>Days ${escapeHtml(options.from)} to ${escapeHtml(options.to)} (UTC). Generated ${escapeHtml(options.generatedAt)} by netlog.</p>
<nav>${options.sections.map((s) => `<a href="#${escapeHtml(s.table)}">${escapeHtml(s.table)}</a>`).join('')}</nav>
<h2>Data completeness</h2>
<table class="completeness"><thead><tr><th>table</th><th>complete days</th><th>problem days</th><th>details</th></tr></thead><tbody>
${completeness}
</tbody></table>
${sections}
</body>
</html>
`;
}
