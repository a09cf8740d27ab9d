/**
 * bench/results.md from the raw measurements: per scale and tool the median and spread of wall
 * time, peak RSS and Elasticsearch's summed `took`; netlog's client-side overhead; the speed-up over
 * the baseline; growth from the smallest to the largest day count; and each target, met or not.
 *   node --import tsx bench/report.ts results.tsv <reps> <es-version>
 */
import { readFileSync } from 'node:fs';

const [file, reps, esVersion] = process.argv.slice(2) as [string, string, string];
type Row = { days: number; docs: number; variant: string; wall: number; rssMb: number; tookS: number };
const rows: Row[] = readFileSync(file, 'utf8').trim().split('\n').map((l) => {
  const [days, docs, variant, , wall, rss, took] = l.split('\t');
  return { days: Number(days), docs: Number(docs), variant: variant!, wall: Number(wall), rssMb: Number(rss) / 1024, tookS: Number(took) / 1000 };
});
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (v: number, d = 2) => v.toFixed(d);
const scales = [...new Set(rows.map((r) => `${r.days}:${r.docs}`))];
const stat = (days: number, docs: number, variant: string) => {
  const rs = rows.filter((r) => r.days === days && r.docs === docs && r.variant === variant);
  const walls = rs.map((r) => r.wall);
  return { wall: median(walls), min: Math.min(...walls), max: Math.max(...walls), rss: median(rs.map((r) => r.rssMb)), took: median(rs.map((r) => r.tookS)) };
};
const lines: string[] = [
  '# netlog benchmark',
  '',
  `Measured by \`bash bench/run.sh\` on this machine (2 cores), Elasticsearch ${esVersion} (local node, 1 GB heap), ${reps} repetitions each; medians with the min–max of wall time. All ten built-in tables, \`load-backfill --force\` against \`bench/baseline.py\` (elasticsearch-py, recursive flatten, hmac, tldextract, pandas groupby/drop_duplicates, to_csv) over the same days and the same queries. Every repetition checked that both wrote the same files with the same row counts and count/bytes totals.`,
  '',
  '| days × docs/day | tool | wall s (min–max) | peak RSS MB | ES took s | client overhead | speed-up |',
  '|---|---|---|---|---|---|---|',
];
const targets: string[] = [];
for (const scale of scales) {
  const [days, docs] = scale.split(':').map(Number) as [number, number];
  const py = stat(days, docs, 'python');
  for (const variant of ['netlog', 'netlog-c1', 'python']) {
    const s = stat(days, docs, variant);
    const overhead = variant === 'python' ? '' : `${fmt(Math.max(0, s.wall - s.took))} s (${fmt((100 * Math.max(0, s.wall - s.took)) / s.wall, 0)} %)`;
    const speed = variant === 'python' ? '1×' : `${fmt(py.wall / s.wall, 1)}×`;
    const label = variant === 'netlog' ? 'netlog (concurrency 2)' : variant === 'netlog-c1' ? 'netlog (concurrency 1)' : 'Python/pandas baseline';
    lines.push(`| ${days} × ${docs.toLocaleString('en')} | ${label} | ${fmt(s.wall)} (${fmt(s.min)}–${fmt(s.max)}) | ${fmt(s.rss, 0)} | ${fmt(s.took)} | ${overhead} | ${speed} |`);
  }
}
const byDocs = new Map<number, number[]>();
for (const scale of scales) {
  const [days, docs] = scale.split(':').map(Number) as [number, number];
  byDocs.set(docs, [...(byDocs.get(docs) ?? []), days]);
}
lines.push('', '## Targets', '');
for (const [docs, dayList] of byDocs) {
  const maxDays = Math.max(...dayList);
  const minDays = Math.min(...dayList);
  const n = stat(maxDays, docs, 'netlog');
  const p = stat(maxDays, docs, 'python');
  const overhead = (100 * Math.max(0, n.wall - n.took)) / n.wall;
  targets.push(`- ${maxDays} days × ${docs.toLocaleString('en')}/day: netlog ${fmt(p.wall / n.wall, 1)}× faster than the baseline (target ≥ 3×: ${p.wall / n.wall >= 3 ? 'met' : 'NOT met'}); client-side overhead ${fmt(overhead, 0)} % of wall (target ≤ 25 %: ${overhead <= 25 ? 'met' : 'NOT met'}); peak RSS ${fmt(n.rss, 0)} MB${docs >= 1_000_000 ? ` (target ≤ 300 MB at 1M docs/day: ${n.rss <= 300 ? 'met' : 'NOT met'})` : ''}.`);
  if (maxDays !== minDays) {
    const small = stat(minDays, docs, 'netlog');
    targets.push(`- growth ${minDays} → ${maxDays} days at ${docs.toLocaleString('en')}/day: wall ×${fmt(n.wall / small.wall, 2)} for ×${fmt(maxDays / minDays, 2)} days; peak RSS ${fmt(small.rss, 0)} → ${fmt(n.rss, 0)} MB (flat: ${Math.abs(n.rss - small.rss) / small.rss < 0.25 ? 'yes' : 'no'}).`);
  }
}
lines.push(...targets, '');
console.log(lines.join('\n'));
