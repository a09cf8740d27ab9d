/**
 * The benchmark driver (bench/run.sh calls it with a running node): netlog `load-backfill` against
 * the Python/pandas baseline (bench/baseline.py) on the same Elasticsearch, data, days and tables.
 *
 *   node --import tsx bench/bench.ts --es URL
 *
 * Loads each data set once (a day is reloaded only when its document count is off), checks that the
 * baseline sends netlog's request bodies, runs every side several times in rotating order, checks
 * after every repetition that both wrote the same rows and metric totals per table and day, and
 * writes bench/results.md (plus the raw figures in bench/out/raw.json). Exits 1 when the outputs
 * differ; the targets are reported, not asserted.
 */
import { spawn } from 'node:child_process';
import { deepStrictEqual } from 'node:assert/strict';
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../src/config/validate.js';
import { buildDayQuery } from '../src/extract/query.js';
import { addDays, dayRange, daysBetween } from '../src/time/day.js';
import { compareDataDirs } from './compare.js';
import { BASELINE_PAGE_SIZE } from './baseline-page.js';
import { renderResults, type Measurement, type RunReport } from './report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const PYTHON = join(ROOT, 'bench', '.venv', 'bin', 'python');
const HASH_KEY = 'bench-only-pseudonym-key-0123456789';
/** The netlog under test: bench/run.sh builds HEAD apart from dist/; by default the tree's own build. */
const NETLOG = process.env.BENCH_NETLOG_BIN ?? join(ROOT, 'bin', 'netlog.js');

const { values: args } = parseArgs({
  options: {
    es: { type: 'string' },
    'es-version': { type: 'string', default: process.env.BENCH_ES_VERSION ?? '' },
    /** Re-render results.md from bench/out/raw.json and bench/notes.md, measuring nothing. */
    'render-only': { type: 'boolean', default: false },
  },
});
const env = process.env;
const REPS = Number(env.BENCH_REPS ?? 3);
const END = env.BENCH_END ?? '2026-05-31';
const SEED = Number(env.BENCH_SEED ?? 42);
const numbers = (text: string): number[] => text.split(/[ ,]+/).filter(Boolean).map(Number);

/** A data set: one volume under its own index prefix, measured over several day counts ending at END. */
interface DataSet {
  readonly name: string;
  readonly prefix: string;
  readonly docsPerDay: number;
  readonly dayCounts: number[];
}

/** "100k", "1M", "20k": the data set's name in the tables, from its documents a day. */
const volumeName = (docs: number): string =>
  docs >= 1_000_000 && docs % 1_000_000 === 0
    ? `${docs / 1_000_000}M`
    : docs >= 1000 && docs % 1000 === 0
      ? `${docs / 1000}k`
      : String(docs);

/** A data set per volume, each under an index prefix naming it (another volume never finds it loaded). */
const dataSet = (docsPerDay: number, dayCounts: number[]): DataSet => ({
  name: volumeName(docsPerDay),
  prefix: `bench-${volumeName(docsPerDay).toLowerCase()}-network-`,
  docsPerDay,
  dayCounts,
});

const DATA_SETS: DataSet[] = [
  dataSet(Number(env.BENCH_DOCS ?? 100_000), numbers(env.BENCH_DAYS ?? '7,30')),
  dataSet(Number(env.BENCH_BIG_DOCS ?? 1_000_000), numbers(env.BENCH_BIG_DAYS ?? '1,3')),
].filter((d) => d.dayCounts.length > 0 && d.docsPerDay > 0);

/** floor: the per-table plan's requests (the baseline's), only read; floor-best: the planner's. */
type Side = 'netlog' | 'netlog-c1' | 'python' | 'floor' | 'floor-best';
/**
 * The sides by the requests they send, the group's floor last. Right after the other plan's requests,
 * Elasticsearch spent up to 2× the CPU on the same requests (the best-plan floor on a 1M day: 1.6–1.8 s
 * of node CPU alone or after netlog, 3.3 s after the per-table floor; bench/notes.md), so every group
 * starts after an unmeasured run of its own plan.
 */
const PLAN_GROUPS: Side[][] = [
  ['netlog', 'netlog-c1', 'floor-best'],
  ['python', 'floor'],
];

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

// --- Elasticsearch, by plain HTTP --------------------------------------------------------------

const esUrl = args.es ?? env.ES_URL;
if (!esUrl && !args['render-only'])
  throw new Error('bench.ts needs --es URL (bench/run.sh starts a node and passes it)');

async function es(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${esUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

async function countDay(prefix: string, day: string): Promise<number> {
  const range = dayRange(day);
  const exists = await es('GET', `/_cat/indices/${prefix}*?format=json`).catch(() => []);
  if (!Array.isArray(exists) || exists.length === 0) return 0;
  const r = await es('POST', `/${prefix}*/_count`, {
    query: { range: { '@timestamp': { gte: range.start.toISOString(), lt: range.end.toISOString() } } },
  });
  return Number(r.count);
}

/** Waits for a task started with wait_for_completion=false. */
async function waitForTask(task: string): Promise<void> {
  for (;;) {
    const r = await es('GET', `/_tasks/${task}`);
    if (r.completed === true) return;
    await new Promise((ok) => setTimeout(ok, 1000));
  }
}

/** Loads the days whose counts are off (only those), merges to one segment, switches the request cache off. */
async function ensureLoaded(
  set: DataSet,
  days: readonly string[],
): Promise<{ loadedDays: number; loadSeconds: number; docsPerSecond?: number }> {
  const missing: string[] = [];
  for (const day of days) if ((await countDay(set.prefix, day)) !== set.docsPerDay) missing.push(day);
  let loadSeconds = 0;
  if (missing.length > 0) {
    log(`loading ${missing.length} day(s) x ${set.docsPerDay} documents into ${set.prefix}*`);
    const started = performance.now();
    for (const day of missing) {
      // Deterministic ids: reloading a day that is half there overwrites the same documents.
      await run(
        process.execPath,
        [
          NETLOG,
          '--quiet',
          '--log-file',
          join(OUT, 'load.log'),
          'sample',
          'load',
          '--es',
          esUrl!,
          '--days',
          '1',
          '--end',
          day,
          '--docs-per-day',
          String(set.docsPerDay),
          '--seed',
          String(SEED),
          '--index-prefix',
          set.prefix,
          '--no-anomalies',
        ],
        { stdout: 'ignore' },
      );
    }
    loadSeconds = (performance.now() - started) / 1000;
    for (const day of missing) {
      const n = await countDay(set.prefix, day);
      if (n !== set.docsPerDay)
        throw new Error(
          `${set.prefix}* has ${n} documents on ${day} after loading, expected ${set.docsPerDay}`,
        );
    }
  }
  // One segment per index: the same layout for every repetition, no background merges while measuring.
  const merge = await es('POST', `/${set.prefix}*/_forcemerge?max_num_segments=1&wait_for_completion=false`);
  await waitForTask(String(merge.task));
  // The shard request cache would answer a repeated size-0 aggregation without running it; a backfill
  // asks for each day once, so every run here must make Elasticsearch do the work.
  await es('PUT', `/${set.prefix}*/_settings`, { 'index.requests.cache.enable': false });
  return {
    loadedDays: missing.length,
    loadSeconds,
    ...(missing.length > 0 && { docsPerSecond: (missing.length * set.docsPerDay) / loadSeconds }),
  };
}

// --- processes ---------------------------------------------------------------------------------

function run(
  cmd: string,
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; stdout?: 'ignore' | 'pipe' } = {},
): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      env: options.env ?? env,
      stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0 ? ok(out) : fail(new Error(`${cmd} ${argv.join(' ')} exited ${code}\n${err.slice(-2000)}`)),
    );
  });
}

/** Runs a command under /usr/bin/time -v: wall time (measured here), peak RSS and CPU time (from time). */
/**
 * The Elasticsearch node's CPU time so far (user + system, seconds) from /proc, or undefined when its
 * pid is not known (a node not started by run.sh). On a 2-core machine `took` grows when the client
 * works while Elasticsearch does; the node's CPU time is the work it did, whoever shared the cores.
 */
async function esCpuSeconds(): Promise<number | undefined> {
  const state = process.env.BENCH_ES_STATE;
  if (!state) return undefined;
  try {
    const pid = (await readFile(join(state, 'pid'), 'utf8')).trim();
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function timed(
  argv: string[],
  childEnv: NodeJS.ProcessEnv,
): Promise<{ wallS: number; rssMb: number; cpuS: number; esCpuS?: number; load1: number; stdout: string }> {
  const timeFile = join(OUT, 'time.txt');
  const load1 = loadavg()[0]!;
  const esBefore = await esCpuSeconds();
  const started = performance.now();
  const stdout = await run('/usr/bin/time', ['-v', '-o', timeFile, ...argv], { env: childEnv });
  const wallS = (performance.now() - started) / 1000;
  const esAfter = await esCpuSeconds();
  const text = await readFile(timeFile, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`${name}: ([\\d.]+)`).exec(text)?.[1] ?? Number.NaN);
  return {
    wallS,
    rssMb: field('Maximum resident set size \\(kbytes\\)') / 1024,
    cpuS: field('User time \\(seconds\\)') + field('System time \\(seconds\\)'),
    ...(esBefore !== undefined && esAfter !== undefined && { esCpuS: esAfter - esBefore }),
    load1,
    stdout,
  };
}

/** The largest heap left after a full collection ("Mark-Compact 59.2 (83.9) -> 23.8 (77.1) MB"). */
function maxLiveHeapMb(traceGc: string): number | undefined {
  const after = [...traceGc.matchAll(/Mark-Compact[^\n]*?-> ([\d.]+) \(/g)].map((m) => Number(m[1]));
  return after.length > 0 ? Math.max(...after) : undefined;
}

async function sumJsonLines(
  path: string,
  pick: (r: Record<string, unknown>) => boolean,
): Promise<{ tookMs: number; rows: number; jobs: number }> {
  const lines = (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const jobs = lines.filter(pick);
  return {
    tookMs: jobs.reduce((s, r) => s + Number(r.tookMs), 0),
    rows: jobs.reduce((s, r) => s + Number(r.rows), 0),
    jobs: jobs.length,
  };
}

async function runSide(
  side: Side,
  set: DataSet,
  days: readonly string[],
  configPath: string,
  dataDir: string,
): Promise<Omit<Measurement, 'set' | 'days' | 'rep'>> {
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  // Every run starts from the same caches (the request cache is off; query cache and fielddata cleared).
  await es('POST', `/${set.prefix}*/_cache/clear`);
  const from = days[0]!;
  const to = days.at(-1)!;
  const logFile = join(OUT, `${side}.jsonl`);
  await rm(logFile, { force: true });
  if (side === 'floor' || side === 'floor-best') {
    const { stdout, ...t } = await timed(
      [
        process.execPath,
        '--import',
        'tsx',
        'bench/es-floor.ts',
        '--es',
        esUrl!,
        '--config',
        configPath,
        '--from',
        from,
        '--to',
        to,
        '--plan',
        side === 'floor' ? 'per-table' : 'best',
      ],
      env,
    );
    const floor = JSON.parse(stdout) as { tookMs: number; requests: number; jobs: number; wallMs: number };
    // The floor's wall is its requests alone: starting node with tsx is no part of it.
    return { side, ...t, wallS: floor.wallMs / 1000, tookMs: floor.tookMs, rows: 0, jobs: floor.jobs };
  }
  if (side === 'python') {
    const t = await timed(
      [
        PYTHON,
        'bench/baseline.py',
        '--es',
        esUrl!,
        '--config',
        configPath,
        '--from',
        from,
        '--to',
        to,
        '--out',
        dataDir,
        '--timings',
        logFile,
      ],
      { ...env, NETLOG_HASH_KEY: HASH_KEY },
    );
    const { stdout: _stdout, ...figures } = t;
    return { side, ...figures, ...(await sumJsonLines(logFile, () => true)) };
  }
  const concurrency = side === 'netlog' ? [] : ['--concurrency', '1'];
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    NETLOG_HASH_KEY: HASH_KEY,
    NETLOG_LOG_FILE: logFile,
    NETLOG_NOW: `${addDays(to, 1)}T12:00:00Z`,
  };
  delete childEnv.NETLOG_CONFIG;
  delete childEnv.NETLOG_HASH_KEY_FILE;
  // --trace-gc (on stdout) tells the live heap after each full collection, apart from how lazily
  // V8 gives memory back: RSS is the heap V8 chose to keep, the live heap is what netlog holds.
  const { stdout, ...t } = await timed(
    [
      process.execPath,
      '--trace-gc',
      NETLOG,
      '--quiet',
      '--config',
      configPath,
      '--data',
      dataDir,
      'load-backfill',
      '--force',
      '--from',
      from,
      '--to',
      to,
      ...concurrency,
      '--es',
      esUrl!,
    ],
    childEnv,
  );
  return {
    side,
    ...t,
    liveHeapMb: maxLiveHeapMb(stdout),
    ...(await sumJsonLines(logFile, (r) => r.msg === 'table day loaded')),
  };
}

// --- the run -----------------------------------------------------------------------------------

/** The built-in tables on this data set's indices (`network-x` → `<prefix>x`). */
function benchConfig(prefix: string): Record<string, unknown> {
  const config = defaultConfig();
  const tables = config.tables.map((t) => ({
    ...t,
    index: t.index
      .split(',')
      .map((i) => i.replace(/^network-/, prefix))
      .join(','),
  }));
  return { ...config, tables };
}

/**
 * The baseline must send exactly the bodies netlog built before its query planner (one walk per
 * table, pages of BASELINE_PAGE_SIZE: bench/es-floor.ts --plan per-table), or the comparison is not fair.
 */
async function checkSameQueries(configPath: string, day: string): Promise<void> {
  const config = defaultConfig();
  const fromPython = JSON.parse(
    await run(PYTHON, ['bench/baseline.py', '--config', configPath, '--dump-queries', day]),
  ) as Record<string, unknown>;
  const file = JSON.parse(await readFile(configPath, 'utf8')) as { tables: typeof config.tables };
  for (const table of file.tables) {
    deepStrictEqual(
      fromPython[table.name],
      buildDayQuery(table, dayRange(day, config.timezone), config, undefined, BASELINE_PAGE_SIZE),
      `the baseline's request body for ${table.name} differs from netlog's`,
    );
  }
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const measurements: Measurement[] = [];
  const loads: RunReport['loads'] = [];
  const equality: RunReport['equality'] = [];
  const started = new Date();
  for (const set of DATA_SETS) {
    const maxDays = Math.max(...set.dayCounts);
    const allDays = daysBetween(addDays(END, 1 - maxDays), END);
    const load = await ensureLoaded(set, allDays);
    loads.push({ set: set.name, docsPerDay: set.docsPerDay, days: allDays.length, ...load });
    const configPath = join(OUT, `config-${set.name}.json`);
    await writeFile(configPath, `${JSON.stringify(benchConfig(set.prefix), null, 2)}\n`);
    await checkSameQueries(configPath, END);
    // Warm-up (not counted): the JVM's JIT and the file cache see every kind of query once.
    for (const side of ['netlog-c1', 'python'] as const)
      await runSide(side, set, [END], configPath, join(OUT, 'warmup', side));
    for (const dayCount of [...set.dayCounts].sort((a, b) => a - b)) {
      const days = daysBetween(addDays(END, 1 - dayCount), END);
      const label = `${set.name} x ${dayCount}d`;
      for (let rep = 1; rep <= REPS; rep++) {
        const dirs = new Map<Side, string>();
        // The groups in turn, each after an unmeasured run of its floor over the last day; inside a
        // group, the order rotates so that no side always runs first (or after the same neighbour).
        const groups = rep % 2 === 1 ? PLAN_GROUPS : [...PLAN_GROUPS].reverse();
        for (const group of groups) {
          await runSide(group.at(-1)!, set, [END], configPath, join(OUT, 'warmup', 'switch'));
          const order = group.map((_, i) => group[(i + rep - 1) % group.length]!);
          for (const side of order) {
            const dir = join(OUT, 'data', `${set.name}-${dayCount}d`, side);
            dirs.set(side, dir);
            const m = await runSide(side, set, days, configPath, dir);
            measurements.push({ set: set.name, days: dayCount, rep, ...m });
            log(
              `${label} rep ${rep} ${side.padEnd(9)} wall ${m.wallS.toFixed(2)} s  ES took ${(m.tookMs / 1000).toFixed(2)} s  ES CPU ${m.esCpuS?.toFixed(2) ?? '?'} s  peak RSS ${m.rssMb.toFixed(0)} MB  rows ${m.rows}`,
            );
          }
        }
        const tables = defaultConfig().tables.map((t) => ({
          name: t.name,
          metrics: t.metrics.filter((x) => x.type === 'count' || x.type === 'sum').map((x) => x.name),
        }));
        for (const other of ['netlog-c1', 'python'] as const) {
          const c = await compareDataDirs(
            [dirs.get('netlog')!, dirs.get(other)!],
            ['netlog', other],
            tables,
            days,
          );
          equality.push({
            set: set.name,
            days: dayCount,
            rep,
            against: other,
            pairs: c.pairs,
            identical: c.identical,
            mismatches: c.mismatches.length,
          });
          if (c.mismatches.length > 0) {
            for (const m of c.mismatches.slice(0, 20))
              log(`MISMATCH ${label} ${m.table} ${m.day}: ${m.what}`);
            throw new Error(
              `${label}: netlog and ${other} wrote different rows or totals in ${c.mismatches.length} places: the benchmark is void`,
            );
          }
        }
      }
    }
  }
  const report: RunReport = {
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGb: totalmem() / 2 ** 30 },
    versions: {
      elasticsearch: args['es-version'] || '?',
      netlog: env.BENCH_NETLOG_COMMIT ?? 'working tree',
      node: process.version,
      python: (
        await run(PYTHON, [
          '-c',
          'import sys,pandas,elasticsearch,tldextract;print(sys.version.split()[0],pandas.__version__,elasticsearch.__versionstr__,tldextract.__version__)',
        ])
      ).trim(),
    },
    reps: REPS,
    end: END,
    seed: SEED,
    loads,
    equality,
    measurements,
  };
  await writeFile(join(OUT, 'raw.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeResults(report);
}

async function writeResults(report: RunReport): Promise<void> {
  const notes = await readFile(join(ROOT, 'bench', 'notes.md'), 'utf8').catch(() => '');
  const markdown = renderResults(report, notes);
  await writeFile(join(ROOT, 'bench', 'results.md'), markdown);
  process.stdout.write(markdown);
}

if (args['render-only'])
  await writeResults(JSON.parse(await readFile(join(OUT, 'raw.json'), 'utf8')) as RunReport);
else await main();
