import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, StoreError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { parseDayFileRelPath, type DayFileRef } from '../store/layout.js';
import {
  DATA_PACKAGE_FILE,
  PSEUDONYM_FILE,
  buildDataPackage,
  formatDataPackage,
  keyRecordSchema,
  mergeTables,
  readRecordedSettings,
  settingsOf,
  type KeyRecord,
  type RecordedSettings,
} from './descriptor.js';
import { README_MARKER, buildDataReadme } from './readme.js';
import { NETLOG_VERSION } from '../version.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';

/** The filesystem edge of the data repository's description: reading it back, and writing it. */

const DATA_README_FILE = 'README.md';

/**
 * The settings recorded in `<data>/datapackage.json`, or undefined when there is none. A file that is
 * there but unreadable, not JSON or without a valid `netlog` block is a ConfigError naming it.
 */
export async function readRecorded(dataDir: string): Promise<RecordedSettings | undefined> {
  const path = join(dataDir, DATA_PACKAGE_FILE);
  const text = await readRecord(path);
  if (text === undefined) return undefined;
  let descriptor: unknown;
  try {
    descriptor = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(
      `${path} is not valid JSON (${(cause as Error).message}): restore it with git -C ${dataDir} checkout -- ${DATA_PACKAGE_FILE}`,
      { cause },
    );
  }
  const read = readRecordedSettings(descriptor);
  if ('error' in read)
    throw new ConfigError(
      `${path} does not record netlog's settings: ${read.error}; restore it with git -C ${dataDir} checkout -- ${DATA_PACKAGE_FILE}`,
    );
  return read.settings;
}

/** `<data>/pseudonym.json` (the key's fingerprint), or undefined when there is none. */
async function readKeyRecord(dataDir: string): Promise<KeyRecord | undefined> {
  const path = join(dataDir, PSEUDONYM_FILE);
  const text = await readRecord(path);
  if (text === undefined) return undefined;
  let parsed;
  try {
    parsed = keyRecordSchema.safeParse(JSON.parse(text));
  } catch (cause) {
    throw new ConfigError(`${path} is not valid JSON: restore it from git`, { cause });
  }
  if (!parsed.success)
    throw new ConfigError(
      `${path} is not a key record (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}): restore it from git`,
    );
  return parsed.data;
}

/** A record file's text, or undefined when there is none; any other failure to read it is a ConfigError. */
async function readRecord(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError(`cannot read ${path} (${code ?? String(cause)}): check its permissions`, { cause });
  }
}

/**
 * Every day file below the data directory: `<table>/<YYYY>/<YYYY-MM-DD>[.partial].csv`. Symbolic links
 * and anything else are passed over (the package describes only real day files).
 */
async function listDayFiles(dataDir: string): Promise<DayFileRef[]> {
  const found: DayFileRef[] = [];
  const dirs = async (path: string) => (await entriesOf(path)).filter((e) => e.isDirectory());
  for (const table of await dirs(dataDir)) {
    if (table.name.startsWith('.')) continue;
    for (const year of await dirs(join(dataDir, table.name))) {
      for (const e of await entriesOf(join(dataDir, table.name, year.name))) {
        if (!e.isFile()) continue;
        const ref = parseDayFileRelPath(`${table.name}/${year.name}/${e.name}`);
        if (ref) found.push(ref);
      }
    }
  }
  return found;
}

/** A folder's entries; none when it is not there. Any other failure to list it is a StoreError with its cause. */
async function entriesOf(path: string) {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StoreError(
      `cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}): check the data directory's permissions`,
      { cause },
    );
  }
}

/**
 * Writes `datapackage.json` and the analysts' `README.md` at the data root, each atomically, from the
 * config's settings, the tables recorded before (still described while their files are there), the
 * key record and the day files present. No day file yet: nothing is written. A README.md that netlog
 * did not write is the operator's: left alone, with a warning. Returns the files written.
 */
export async function writeDataPackage(options: {
  dataDir: string;
  config: Pick<Config, 'timezone' | 'pseudonym' | 'tables'>;
  log: Logger;
}): Promise<string[]> {
  const { dataDir, log } = options;
  const recorded = await readRecorded(dataDir).catch(() => undefined);
  const current = settingsOf(options.config);
  const settings: RecordedSettings = { ...current, tables: mergeTables(current.tables, recorded?.tables) };
  const files = await listDayFiles(dataDir);
  if (!files.some((f) => !f.partial && settings.tables.some((t) => t.name === f.table))) {
    log.debug({ dataDir }, 'no complete day file yet: datapackage.json not written');
    return [];
  }
  const input = { version: NETLOG_VERSION, settings, files, key: await readKeyRecord(dataDir) };
  const written: string[] = [];
  const packagePath = join(dataDir, DATA_PACKAGE_FILE);
  if (await writeIfChanged(packagePath, formatDataPackage(buildDataPackage(input))))
    written.push(DATA_PACKAGE_FILE);
  const readmePath = join(dataDir, DATA_README_FILE);
  const existing = await readFile(readmePath, 'utf8').catch(() => undefined);
  if (existing !== undefined && !existing.startsWith(README_MARKER)) {
    log.warn(
      { path: readmePath },
      "README.md in the data directory was not written by netlog: left as it is (delete it to get netlog's analysts' README)",
    );
  } else if (await writeIfChanged(readmePath, buildDataReadme(input))) {
    written.push(DATA_README_FILE);
  }
  if (written.length > 0) log.info({ dataDir, files: written }, 'data package description written');
  return written;
}

/** Writes `content` atomically unless the file holds it already; true when written. */
async function writeIfChanged(path: string, content: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) return false;
  try {
    await writeFileAtomic(path, content);
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(`cannot write ${path}: ${String(cause)}`, { cause });
  }
  return true;
}
