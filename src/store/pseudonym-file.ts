import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, StoreError } from '../errors.js';
import { openAtomicWriter } from './atomic-write.js';
import {
  PSEUDONYM_RECORD_FILE,
  decideRecord,
  formatRecord,
  parseRecord,
  type PseudonymRecord,
  type PseudonymScheme,
} from './pseudonym-record.js';

/** Reading and writing `<data>/pseudonym.json` (see pseudonym-record.ts). */

const MAX_RECORD_BYTES = 1 << 20;

/** The record, or undefined when the data directory has none yet. */
async function readPseudonymRecord(dataDir: string): Promise<PseudonymRecord | undefined> {
  const path = join(dataDir, PSEUDONYM_RECORD_FILE);
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(MAX_RECORD_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_RECORD_BYTES)
        throw new ConfigError(
          `${path} is larger than ${MAX_RECORD_BYTES} bytes: it is not netlog's pseudonym record; restore it from git`,
        );
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError(
      `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}; check its permissions`,
      { cause },
    );
  }
  const parsed = parseRecord(text);
  if ('problem' in parsed)
    throw new ConfigError(
      `${path} is not a valid pseudonym record (${parsed.problem}): restore it from git (git -C ${dataDir} checkout -- ${PSEUDONYM_RECORD_FILE})`,
    );
  return parsed.record;
}

export interface RecordOutcome {
  /** The epoch written, when the record was created or a new epoch started. */
  readonly started?: { epoch: number; first: boolean };
}

/**
 * Checks the run's scheme against the record and (with `write`) records it. Throws a ConfigError
 * (exit 2, one line) when the key does not match and `newKey` was not given: nothing is written then.
 */
export async function checkPseudonymRecord(
  dataDir: string,
  scheme: PseudonymScheme,
  options: { newKey: boolean; now: Date; write: boolean },
): Promise<RecordOutcome> {
  const decision = decideRecord(await readPseudonymRecord(dataDir), scheme, options);
  if (decision.kind === 'refuse') throw new ConfigError(decision.message);
  if (decision.kind === 'same' || !options.write) return {};
  const writer = await openAtomicWriter(join(dataDir, PSEUDONYM_RECORD_FILE));
  try {
    await writer.write(formatRecord(decision.record));
    await writer.commit();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return { started: { epoch: decision.epoch, first: decision.first } };
}
