import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { deleteIndices, startTestEs, type TestEs } from './es.js';
import { tempDir } from './tmp.js';
import { defaultConfig } from '../../src/config/validate.js';
import type { ExpectedFile } from '../../src/sample/expected.js';

/** Loads generated days into indices named `<prefix>network-<protocol>` through the real CLI. */
export async function loadSampleDays(
  url: string,
  dir: string,
  options: {
    prefix: string;
    days: number;
    end: string;
    docsPerDay: number;
    seed: number;
    anomalies?: boolean;
    beacons?: boolean;
    /** Internal client hosts (sample load --hosts; default 400). */
    hosts?: number;
  },
): Promise<ExpectedFile> {
  const expectedFile = join(dir, `expected-${options.end}-${options.days}.json`);
  const result = await runCli(
    [
      'sample',
      'load',
      '--es',
      url,
      '--days',
      String(options.days),
      '--end',
      options.end,
      '--docs-per-day',
      String(options.docsPerDay),
      '--seed',
      String(options.seed),
      '--index-prefix',
      `${options.prefix}network-`,
      '--expected',
      expectedFile,
      ...(options.anomalies === false ? ['--no-anomalies'] : []),
      ...(options.beacons === true ? ['--beacons'] : []),
      ...(options.hosts !== undefined ? ['--hosts', String(options.hosts)] : []),
    ],
    { env: { NETLOG_LOG_FILE: join(dir, 'sample.log') } },
  );
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(await readFile(expectedFile, 'utf8')) as ExpectedFile;
}

/** A config file whose tables are the built-in ones, reading the prefixed sample indices. */
export async function writeTestConfig(
  dir: string,
  prefix: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const { tables } = defaultConfig();
  const path = join(dir, `config-${prefix}${Object.keys(extra).join('-')}.json`);
  const prefixed = tables.map((t) => ({
    ...t,
    index: t.index
      .split(',')
      .map((i) => `${prefix}${i}`)
      .join(','),
  }));
  await writeFile(path, JSON.stringify({ ...extra, tables: prefixed }, null, 2));
  return path;
}

/**
 * Every file below `dir`, relative, sorted; but the key record `pseudonym.json` at the top, which
 * every writing run keeps there (test/integration/privacy.test.ts checks it, and when it is written).
 */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && !(e.name === 'pseudonym.json' && e.parentPath === dir))
      .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
      .sort();
  } catch {
    return [];
  }
}

/** Parses a netlog CSV (no quoting needed for its values) into header and records. */
export async function readCsvRecords(
  path: string,
): Promise<{ header: string[]; records: Record<string, string>[] }> {
  const [head, ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\n');
  const header = head!.split(',');
  return {
    header,
    records: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v]))),
  };
}

/** What an integration test file shares: the node, a temp dir, the loaded sample and a config for it. */
export interface SampleSuite {
  es: TestEs;
  dir: string;
  expected: ExpectedFile;
  config: string;
  logFile: string;
  /** Resolves once the node, the sample and the config are ready. Node 20 runs a file's root-level
   * before hooks concurrently, so another hook that needs the suite awaits this first. */
  ready: Promise<void>;
}

/**
 * Registers before/after hooks that start (or reuse) the test node, load generated days into
 * `<prefix>network-*`, write a config for them, and clean everything up afterwards. The returned
 * object is filled in by the time the tests run.
 */
export function useSampleSuite(options: {
  label: string;
  prefix: string;
  sample: {
    days: number;
    end: string;
    docsPerDay: number;
    seed: number;
    anomalies?: boolean;
    beacons?: boolean;
    hosts?: number;
  };
}): SampleSuite {
  const suite = {} as SampleSuite;
  let cleanupDir: () => Promise<void> = async () => undefined;
  let markReady!: () => void;
  suite.ready = new Promise((resolve) => (markReady = resolve));
  before(async () => {
    suite.es = await startTestEs();
    const tmp = await tempDir(options.label);
    cleanupDir = tmp.cleanup;
    suite.dir = tmp.path;
    suite.logFile = join(tmp.path, 'elastic.log');
    await deleteIndices(suite.es.client, options.prefix);
    suite.expected = await loadSampleDays(suite.es.url, tmp.path, {
      prefix: options.prefix,
      ...options.sample,
    });
    suite.config = await writeTestConfig(tmp.path, options.prefix);
    markReady();
  });
  after(async () => {
    await deleteIndices(suite.es.client, options.prefix);
    await suite.es.close();
    await cleanupDir();
  });
  return suite;
}
