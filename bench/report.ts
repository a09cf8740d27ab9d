/**
 * bench/results.md from the raw measurements of bench/bench.ts: per data set, day count and side the
 * median and spread of wall time, Elasticsearch's summed `took`, the client-side share, peak RSS and
 * CPU time; the targets, each met or not with its figures; growth in days; the equality checks; and
 * the hand-written notes (profiles, before/after figures) from bench/notes.md. Pure.
 */

export interface Measurement {
  readonly set: string;
  readonly days: number;
  readonly rep: number;
  readonly side: string;
  readonly wallS: number;
  readonly rssMb: number;
  readonly cpuS: number;
  readonly tookMs: number;
  readonly rows: number;
  readonly jobs: number;
  /** The machine's 1-minute load average when the run started (other work on the machine shows here). */
  readonly load1: number;
  /** netlog only: the largest live heap after a full GC (from --trace-gc), MB. */
  readonly liveHeapMb?: number;
  /** The Elasticsearch node's CPU time (user + system) over the run, s, when its pid was known. */
  readonly esCpuS?: number;
}

export interface RunReport {
  readonly started: string;
  readonly finished: string;
  readonly machine: { cpus: number; cpuModel: string; memGb: number };
  readonly versions: { elasticsearch: string; netlog: string; node: string; python: string };
  readonly reps: number;
  readonly end: string;
  readonly seed: number;
  readonly loads: {
    set: string;
    docsPerDay: number;
    days: number;
    loadedDays: number;
    loadSeconds: number;
    docsPerSecond?: number;
  }[];
  readonly equality: {
    set: string;
    days: number;
    rep: number;
    against: string;
    pairs: number;
    identical: number;
    mismatches: number;
  }[];
  readonly measurements: Measurement[];
}

export const TARGETS = {
  speedup: 3,
  overheadShare: 0.25,
  rssMb: 300,
  rssFlatMb: 25,
  // Issue #18: netlog's summed ES time within 10 % of the best-plan floor and at most 0.45× the
  // per-table plan's, wall time at least 5× faster than the baseline.
  tookOverBest: 1.1,
  tookOverPerTable: 0.45,
  planSpeedup: 5,
} as const;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Stats {
  readonly n: number;
  readonly wall: number;
  readonly wallMin: number;
  readonly wallMax: number;
  readonly took: number;
  /** Median over repetitions of (wall − Σ took). */
  readonly client: number;
  readonly rss: number;
  readonly rssMax: number;
  readonly cpu: number;
  readonly rows: number;
  readonly load: number;
  /** The largest live heap after a full GC over the repetitions (netlog only). */
  readonly liveHeap: number;
  /** Median Elasticsearch node CPU time over the run (NaN when not measured). */
  readonly esCpu: number;
}

export function statsOf(ms: readonly Measurement[]): Stats {
  return {
    n: ms.length,
    wall: median(ms.map((m) => m.wallS)),
    wallMin: Math.min(...ms.map((m) => m.wallS)),
    wallMax: Math.max(...ms.map((m) => m.wallS)),
    took: median(ms.map((m) => m.tookMs / 1000)),
    client: median(ms.map((m) => m.wallS - m.tookMs / 1000)),
    rss: median(ms.map((m) => m.rssMb)),
    rssMax: Math.max(...ms.map((m) => m.rssMb)),
    cpu: median(ms.map((m) => m.cpuS)),
    rows: median(ms.map((m) => m.rows)),
    load: median(ms.map((m) => m.load1)),
    liveHeap: Math.max(...ms.map((m) => m.liveHeapMb ?? Number.NaN)),
    esCpu: median(ms.map((m) => m.esCpuS ?? Number.NaN)),
  };
}

const SIDE_LABEL: Record<string, string> = {
  netlog: 'netlog (default, --concurrency 2)',
  'netlog-c1': 'netlog --concurrency 1',
  python: 'Python/pandas baseline',
  floor: 'Elasticsearch floor, per-table plan (the baseline’s requests), only read',
  'floor-best': 'Elasticsearch floor, best plan (the planner’s requests), only read',
};

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');
const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)} %` : '–');
const mark = (ok: boolean): string => (ok ? '**met**' : '**missed**');

export function renderResults(report: RunReport, notes: string): string {
  const groups = new Map<string, Measurement[]>();
  for (const m of report.measurements) {
    const k = `${m.set}|${m.days}|${m.side}`;
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  const stat = (set: string, days: number, side: string): Stats | undefined => {
    const ms = groups.get(`${set}|${days}|${side}`);
    return ms && statsOf(ms);
  };
  const sets = [...new Set(report.measurements.map((m) => m.set))];
  const dayCounts = (set: string): number[] =>
    [...new Set(report.measurements.filter((m) => m.set === set).map((m) => m.days))].sort((a, b) => a - b);
  const sides = ['netlog', 'netlog-c1', 'python', 'floor', 'floor-best'];

  const out: string[] = [];
  out.push("# netlog benchmark: against the Python/pandas way and against Elasticsearch's own time", '');
  out.push(
    `Generated by \`bash bench/run.sh\` (${report.started.slice(0, 16)}Z → ${report.finished.slice(11, 16)}Z). ` +
      `Machine: ${report.machine.cpus} cores (${report.machine.cpuModel.trim()}), ${f1(report.machine.memGb)} GB RAM, shared by the node, Elasticsearch and the client. ` +
      `netlog at commit ${report.versions.netlog}. Elasticsearch ${report.versions.elasticsearch} (local single node, 1 GB heap), Node ${report.versions.node}, Python/pandas/elasticsearch-py/tldextract ${report.versions.python.split(' ').join(' / ')}.`,
    '',
    `Data: \`netlog sample load\` (seed ${report.seed}, no anomalies), days ending ${report.end}; ` +
      report.loads
        .map((l) => `${l.set}: ${l.docsPerDay.toLocaleString('en')} documents a day over ${l.days} days`)
        .join('; ') +
      '. Every run: all ten built-in tables, `--force`, one segment per index, the shard request cache off and the other caches cleared before each run (a backfill asks for each day once). ' +
      `${report.reps} repetitions per row, after one unmeasured warm-up run of netlog and of the baseline; medians, with min–max of the wall time. ` +
      'The sides run grouped by the requests they send (netlog, netlog --concurrency 1 and the best-plan floor: the planner’s; the baseline and the per-table floor: the old bodies), the groups in turn, each after an unmeasured run of its floor over the last day, the order inside a group rotating: right after the other plan’s requests Elasticsearch spent up to twice the CPU on the same requests (bench/notes.md).',
    '',
    '- **wall**: the whole process, start to exit. **ES took**: the sum of `took` of every search response (netlog: `tookMs` of its log; Python: `response["took"]`). ' +
      '**client share** = (wall − ES took) / wall: time not spent executing queries in Elasticsearch (process start, HTTP, JSON, transforms, files; also Elasticsearch serialising the responses, which `took` does not include). ' +
      'With `--concurrency 2` two jobs run at once and their `took` overlap, so wall − took understates the client share there; it is exact only for the sequential runs. ' +
      "**peak RSS**: `/usr/bin/time -v` \"Maximum resident set size\" of the client process. **live heap**: netlog's largest heap left after a full garbage collection (`node --trace-gc`), what it really holds; RSS is what V8 chose to keep. **CPU**: the client's user + system time. **load avg**: the machine's 1-minute load average as the run started (median); the 2 cores are shared with Elasticsearch, and with whatever else runs on the machine.",
    '',
  );

  out.push('## Results', '');
  out.push(
    '| data | days | tool | wall s median (min–max) | s / day | ES took s | wall − took s | client share | peak RSS MB median (max) | live heap MB (max) | CPU s | rows written | load avg | × vs Python |',
  );
  out.push('|---|---:|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const set of sets) {
    for (const days of dayCounts(set)) {
      const py = stat(set, days, 'python');
      for (const side of sides) {
        const s = stat(set, days, side);
        if (!s) continue;
        const speedup = py && side.startsWith('netlog') ? `${f1(py.wall / s.wall)}×` : '';
        out.push(
          `| ${set}/day | ${days} | ${SIDE_LABEL[side] ?? side} | ${f2(s.wall)} (${f2(s.wallMin)}–${f2(s.wallMax)}) | ${f2(s.wall / days)} | ${f2(s.took)} | ${f2(s.client)} | ${pct(s.client / s.wall)} | ${f1(s.rss)} (${f1(s.rssMax)}) | ${f1(s.liveHeap)} | ${f1(s.cpu)} | ${s.rows.toLocaleString('en')} | ${f1(s.load)} | ${speedup} |`,
        );
      }
    }
  }
  out.push('');

  // Against the floors.
  out.push('## netlog against the floors', '');
  out.push(
    'Both floors send their requests one job after another through netlog’s own client (no gzip, the same query string and answer reading: `bench/es-floor.ts`) and only read the answers. ' +
      '**per-table**: one walk per table with composite pages of 5,000, the request bodies netlog sent before its query planner and the baseline still sends. ' +
      '**best**: the planner’s requests (`src/extract/plan-requests.ts`): the time series of a day in one request split by index, websites and the flow tables split per fallback field, pages sized for the answer. ' +
      'netlog’s ES time is the sum of its `took` (at --concurrency 1); ratios below 1 are netlog doing less than that floor. ' +
      '**ES CPU**: the Elasticsearch node’s own CPU time over the run (user + system, from /proc): on 2 shared cores `took` grows when the client computes while Elasticsearch does (netlog transforms a page while the next is computed; a floor only reads), the CPU time is the work done.',
    '',
    '| data | days | netlog ES took s | per-table floor took s | best floor took s | took vs per-table | took vs best | ES CPU s: netlog c1 / per-table / best | ES CPU vs per-table / best | netlog wall s (c2 / c1) | per-table floor wall s | best floor wall s | c1 wall vs best floor |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|',
  );
  for (const set of sets) {
    for (const days of dayCounts(set)) {
      const n = stat(set, days, 'netlog');
      const c = stat(set, days, 'netlog-c1');
      const today = stat(set, days, 'floor');
      const bestFloor = stat(set, days, 'floor-best');
      if (!n || !c || !today || !bestFloor) continue;
      out.push(
        `| ${set}/day | ${days} | ${f2(c.took)} | ${f2(today.took)} | ${f2(bestFloor.took)} | ${f2(c.took / today.took)}× | ${f2(c.took / bestFloor.took)}× | ${f2(c.esCpu)} / ${f2(today.esCpu)} / ${f2(bestFloor.esCpu)} | ${f2(c.esCpu / today.esCpu)}× / ${f2(c.esCpu / bestFloor.esCpu)}× | ${f2(n.wall)} / ${f2(c.wall)} | ${f2(today.wall)} | ${f2(bestFloor.wall)} | ${f2(c.wall / bestFloor.wall)}× |`,
      );
    }
  }
  out.push('');

  // Targets.
  out.push('## Targets', '');
  const small = sets[0];
  const longest = small === undefined ? undefined : Math.max(...dayCounts(small));
  const n30 = small && longest ? stat(small, longest, 'netlog') : undefined;
  const c30 = small && longest ? stat(small, longest, 'netlog-c1') : undefined;
  const p30 = small && longest ? stat(small, longest, 'python') : undefined;
  if (n30 && p30 && c30) {
    const x = p30.wall / n30.wall;
    out.push(
      `1. **${longest}-day backfill at least ${TARGETS.speedup}× faster than the baseline** (${small}/day): ${mark(x >= TARGETS.speedup)}: ${f2(p30.wall)} s / ${f2(n30.wall)} s = **${f2(x)}×** at netlog's default concurrency; ` +
        `${f2(p30.wall / c30.wall)}× at --concurrency 1 (sequential, like the baseline). Per day: Python ${f2(p30.wall / longest!)} s, netlog ${f2(n30.wall / longest!)} s, of which Elasticsearch's own time alone is ${f2(c30.took / longest!)} s (sequential).`,
    );
    const share = c30.client / c30.wall;
    const floor = small && longest ? stat(small, longest, 'floor') : undefined;
    const overFloor = floor
      ? ` Against the floor (the same requests sent one after another and only read: ${f2(floor.wall)} s, of which ${f2(floor.took)} s \`took\`), netlog --concurrency 1 spends ${pct((c30.wall - floor.wall) / c30.wall)} of its wall time on its own work, and at its default concurrency it finishes ${f1(floor.wall / n30.wall)}× as fast as the floor (${pct((n30.wall - floor.wall) / n30.wall)}).`
      : '';
    out.push(
      `2. **netlog's client-side overhead at most ${pct(TARGETS.overheadShare)} of its wall time**: ${mark(share <= TARGETS.overheadShare)}: ${pct(share)} at --concurrency 1 over ${longest} days (${f2(c30.wall)} s wall, ${f2(c30.took)} s ES took, ${f1(c30.cpu)} s client CPU); ` +
        `${pct(n30.client / n30.wall)} by the same formula at the default concurrency (understated, see above). The baseline: ${pct(p30.client / p30.wall)}.` +
        overFloor,
    );
  }
  const big = sets.at(-1);
  const bigDays = big === undefined ? undefined : Math.min(...dayCounts(big));
  const bigC1 = big && bigDays ? stat(big, bigDays, 'netlog-c1') : undefined;
  const bigBest = big && bigDays ? stat(big, bigDays, 'floor-best') : undefined;
  const bigToday = big && bigDays ? stat(big, bigDays, 'floor') : undefined;
  const planLines: string[] = [];
  if (bigC1 && bigBest && bigToday) {
    const overBest = bigC1.took / bigBest.took;
    const overToday = bigC1.took / bigToday.took;
    planLines.push(
      `4. **ES time at ${big}/day within ${pct(TARGETS.tookOverBest - 1)} of the best-plan floor and at most ${TARGETS.tookOverPerTable}× the per-table plan's**: ${mark(overBest <= TARGETS.tookOverBest && overToday <= TARGETS.tookOverPerTable)}: netlog --concurrency 1 ${f2(bigC1.took)} s took = ${f2(overBest)}× the best floor (${f2(bigBest.took)} s), ${f2(overToday)}× the per-table floor (${f2(bigToday.took)} s).` +
        (Number.isFinite(bigC1.esCpu)
          ? ` By the node's CPU time: ${f2(bigC1.esCpu)} s = ${f2(bigC1.esCpu / bigBest.esCpu)}× the best floor's (${f2(bigBest.esCpu)} s), ${f2(bigC1.esCpu / bigToday.esCpu)}× the per-table floor's (${f2(bigToday.esCpu)} s).`
          : ''),
    );
  }
  const speedLines: string[] = [];
  let speedOk = true;
  for (const set of sets) {
    const days = set === big ? Math.min(...dayCounts(set)) : Math.max(...dayCounts(set));
    const n = stat(set, days, 'netlog');
    const py = stat(set, days, 'python');
    if (!n || !py) continue;
    speedOk &&= py.wall / n.wall >= TARGETS.planSpeedup;
    speedLines.push(`${set}/day × ${days} d: ${f2(py.wall / n.wall)}×`);
  }
  if (speedLines.length > 0)
    planLines.push(
      `5. **wall time at least ${TARGETS.planSpeedup}× faster than the baseline**: ${mark(speedOk)}: ${speedLines.join('; ')} (default concurrency).`,
    );
  const rssLines: string[] = [];
  let rssOk = true;
  for (const set of sets) {
    const counts = dayCounts(set);
    for (const side of ['netlog', 'netlog-c1']) {
      const per = counts.map((d) => ({ d, s: stat(set, d, side) })).filter((x) => x.s);
      if (per.length === 0) continue;
      // Flat: the median peak RSS of the most days is at most rssFlatMb above that of the fewest
      // (medians: the maximum of a few runs is mostly V8's collection timing). The limit holds for
      // every run (the maximum).
      const growth = per.at(-1)!.s!.rss - per[0]!.s!.rss;
      const flat = growth <= TARGETS.rssFlatMb;
      const highest = Math.max(...per.map((x) => x.s!.rssMax));
      const docsPerDay = report.loads.find((l) => l.set === set)?.docsPerDay ?? 0;
      const within = docsPerDay < 1_000_000 || highest <= TARGETS.rssMb;
      rssOk &&= flat && within;
      rssLines.push(
        `${set}/day, ${SIDE_LABEL[side]}: median ${per.map((x) => `${x.d} d → ${f1(x.s!.rss)} MB`).join(', ')} (growth ${f1(growth)} MB; highest of any run ${f1(highest)} MB; live heap ${per.map((x) => `${f1(x.s!.liveHeap)}`).join(' / ')} MB)`,
      );
    }
  }
  if (rssLines.length > 0) {
    out.push(
      `3. **peak RSS flat in the number of days (median growing by at most ${TARGETS.rssFlatMb} MB) and at most ${TARGETS.rssMb} MB at 1M documents a day in every run**: ${mark(rssOk)}: ` +
        rssLines.join('; ') +
        '.',
    );
  }
  // Issue #18's targets (the query planner).
  out.push(...planLines);
  out.push('');

  // Growth.
  out.push('## Growth with the number of days', '');
  out.push(
    '| data | tool | ' +
      (small
        ? dayCounts(small)
            .map((d) => `wall ${d} d`)
            .join(' | ')
        : '') +
      ' | ratio | linear would be | marginal s / day |',
  );
  out.push(
    '|---|---|' +
      (small
        ? dayCounts(small)
            .map(() => '---:')
            .join('|')
        : '') +
      '|---:|---:|---:|',
  );
  for (const set of sets) {
    const counts = dayCounts(set);
    if (counts.length < 2) continue;
    const a = counts[0]!;
    const b = counts.at(-1)!;
    for (const side of sides) {
      const sa = stat(set, a, side);
      const sb = stat(set, b, side);
      if (!sa || !sb) continue;
      out.push(
        `| ${set}/day | ${SIDE_LABEL[side]} | ${counts.map((d) => f2(stat(set, d, side)?.wall ?? Number.NaN)).join(' | ')} | ${f2(sb.wall / sa.wall)} | ${f2(b / a)} | ${f2((sb.wall - sa.wall) / (b - a))} |`,
      );
    }
  }
  out.push('');

  // Equality.
  out.push('## Same output', '');
  const checks = report.equality;
  const pairs = checks.reduce((s, c) => s + c.pairs, 0);
  const identical = checks.reduce((s, c) => s + c.identical, 0);
  const bad = checks.reduce((s, c) => s + c.mismatches, 0);
  out.push(
    `After every repetition, each (table, day) file of netlog was compared with netlog --concurrency 1 and with the baseline: row count and the totals of \`count\` and \`bytes\`. ` +
      `${pairs} comparisons, ${bad} differences; ${identical} of the ${pairs} files were byte for byte identical. The baseline sends the request bodies netlog sent before its query planner, one walk per table with pages of 5,000 (checked against \`buildDayQuery\` before measuring); netlog sends the planner's.`,
    '',
  );

  // Loading.
  out.push('## Loading the data', '');
  for (const l of report.loads) {
    out.push(
      l.loadedDays > 0
        ? `- ${l.set}/day: loaded ${l.loadedDays} day(s) in ${f1(l.loadSeconds)} s (${Math.round(l.docsPerSecond ?? 0).toLocaleString('en')} documents/s, \`netlog sample load\`, bulk).`
        : `- ${l.set}/day: all ${l.days} days were already loaded (counts checked), reused.`,
    );
  }
  out.push('');
  if (notes.trim() !== '') out.push(notes.trim(), '');
  return `${out.join('\n')}\n`;
}
