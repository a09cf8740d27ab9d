import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { columnRole, oracleHits, type OracleHit } from './leak-oracle.js';

/**
 * The leak scan: every CSV and every log file under some directories, searched with the independent
 * leak oracle (leak-oracle.ts: addresses in any spelling, MACs, `user@`, formulas in key cells) and for
 * secrets (hash keys, API keys, passwords, also base64-encoded). Each CSV cell is judged by its
 * column's role, each log line as a whole. Used by the leak tests on what their own runs wrote, and
 * after the whole suite on everything the suite kept:
 *
 *   node --import tsx test/helpers/scan-leaks.ts <dir>...   # exit 1 and one line per leak if any
 *
 * Without a list, the secrets are the ones the tests hand to netlog, read from test/**.ts.
 */

export interface Leak {
  readonly file: string;
  readonly line: number;
  readonly kind: OracleHit['kind'] | 'secret';
  readonly match: string;
}

export interface ScanResult {
  readonly files: number;
  readonly lines: number;
  readonly leaks: Leak[];
}

/** Files whose every line netlog wrote: day files and JSON-lines logs (configs, with their CIDRs, are not). */
const SCANNED = /\.(csv|log)$/;

async function* walk(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    // A file given as a root is scanned too; a missing path is nothing to scan.
    if (
      SCANNED.test(dir) &&
      (await stat(dir).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      yield dir;
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory() && e.name !== '.git' && e.name !== 'node_modules') yield* walk(path);
    else if (e.isFile() && SCANNED.test(e.name)) yield path;
  }
}

/** The secrets and their base64 forms (an Authorization header carries `user:password` encoded). */
export function secretForms(secrets: readonly string[], users: readonly string[] = []): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(s);
    forms.add(Buffer.from(s).toString('base64').replace(/=+$/, ''));
    for (const u of users) forms.add(Buffer.from(`${u}:${s}`).toString('base64').replace(/=+$/, ''));
  }
  return [...forms];
}

/** Scans the CSV and log files below `roots` with the leak oracle and for any of `secrets` (exact text). */
export async function scanForLeaks(
  roots: readonly string[],
  secrets: readonly string[],
): Promise<ScanResult> {
  const leaks: Leak[] = [];
  let files = 0;
  let lines = 0;
  for (const root of roots) {
    for await (const file of walk(root)) {
      files++;
      const text = await readFile(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (line === '') return;
        lines++;
        for (const s of secrets)
          if (line.includes(s)) leaks.push({ file, line: i + 1, kind: 'secret', match: s });
      });
      const add = (line: number, hits: readonly OracleHit[]) => {
        for (const h of hits) leaks.push({ file, line, kind: h.kind, match: h.match });
      };
      if (file.endsWith('.csv')) {
        let records: string[][];
        try {
          records = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
        } catch {
          // Not CSV (a test's deliberately corrupted file): every line is judged as a log line.
          text.split('\n').forEach((line, i) => add(i + 1, oracleHits(line, 'log')));
          continue;
        }
        const roles = (records[0] ?? []).map(columnRole);
        records.slice(1).forEach((row, r) => {
          row.forEach((cell, c) => add(r + 2, oracleHits(cell, roles[c] ?? 'key')));
        });
      } else {
        text.split('\n').forEach((line, i) => add(i + 1, oracleHits(line, 'log')));
      }
    }
  }
  return { files, lines, leaks };
}

/**
 * The secret values the tests give netlog, from their sources: literals assigned to a name such as
 * NETLOG_HASH_KEY, ES_PASSWORD, ES_API_KEY, HASH_KEY, PASSWORD or SECRET, and hyphenated literals
 * that name themselves a key or a password ('fault-test-key-0123456789', 'netlog-test-password').
 */
export async function secretsFromTestSources(testDir: string): Promise<string[]> {
  const found = new Set<string>();
  const assigned = /\b[A-Z_]*(?:KEY|PASSWORD|SECRET)\b\s*[:=]\s*'([^'\s]{8,})'/g;
  const named = /'([a-z0-9]+(?:-[a-z0-9]+)*-(?:key|password|pw)(?:-[a-z0-9]+)*)'/gi;
  for await (const file of walkSources(testDir)) {
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(assigned)) found.add(m[1]!);
    for (const m of text.matchAll(named)) if (m[1]!.length >= 12) found.add(m[1]!);
  }
  return [...found].sort();
}

async function* walkSources(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* walkSources(path);
    else if (e.name.endsWith('.ts')) yield path;
  }
}

function displayPath(base: string, file: string): string {
  const rel = relative(base, file);
  return rel.startsWith('..') ? file : rel;
}

/** One line per leak, relative to `base` when below it. */
export function formatLeaks(leaks: readonly Leak[], base: string): string {
  return leaks
    .map((l) => `${l.kind} ${JSON.stringify(l.match)} in ${displayPath(base, l.file)}:${l.line}`)
    .join('\n');
}

async function main(roots: string[]): Promise<number> {
  if (roots.length === 0) {
    console.error('usage: node --import tsx test/helpers/scan-leaks.ts <dir>...');
    return 2;
  }
  const testDir = new URL('..', import.meta.url).pathname;
  const extra = (process.env.NETLOG_SCAN_SECRETS ?? '').split(',').filter((s) => s !== '');
  const secrets = await secretsFromTestSources(testDir);
  const { files, lines, leaks } = await scanForLeaks(
    roots,
    secretForms([...secrets, ...extra], ['netlog', 'monitor', 'x']),
  );
  if (leaks.length > 0) {
    console.error(formatLeaks(leaks.slice(0, 50), process.cwd()));
    console.error(`leak scan: ${leaks.length} leak(s) in ${files} CSV and log file(s)`);
    return 1;
  }
  console.log(
    `leak scan: ${files} CSV and log file(s), ${lines} lines: no address (any spelling), MAC, user@ or formula, none of ${secrets.length + extra.length} secrets`,
  );
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
