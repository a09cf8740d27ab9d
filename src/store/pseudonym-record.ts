import { z } from 'zod';

/**
 * `<data>/pseudonym.json`: which pseudonym scheme and key the data repository's tables were written
 * with, as a key fingerprint (never the key), and the pseudonym epochs: a new epoch starts when the key
 * (or the algorithm or length) changes on purpose (`--new-key`). Pseudonyms of different epochs do not
 * join. A writing run whose scheme does not match the current epoch refuses before it writes. Pure.
 */

export const PSEUDONYM_RECORD_FILE = 'pseudonym.json';

const fingerprint = z.string().regex(/^[0-9a-f]{16}$/, '16 lower-case hex characters');

const pseudonymRecordSchema = z.strictObject({
  algorithm: z.enum(['hmac-sha256', 'sha1']),
  length: z.number().int().min(16).max(64),
  fingerprint,
  epochs: z
    .array(
      z.strictObject({
        epoch: z.number().int().min(1),
        fingerprint,
        from: z.string().datetime(),
      }),
    )
    .min(1),
});
export type PseudonymRecord = z.infer<typeof pseudonymRecordSchema>;

/** The scheme a run would write with. */
export interface PseudonymScheme {
  readonly algorithm: 'hmac-sha256' | 'sha1';
  readonly length: number;
  readonly fingerprint: string;
}

export type RecordDecision =
  | { readonly kind: 'same' }
  | {
      readonly kind: 'write';
      readonly record: PseudonymRecord;
      readonly epoch: number;
      readonly first: boolean;
    }
  | { readonly kind: 'refuse'; readonly message: string };

function describe(s: { algorithm: string; length: number; fingerprint: string }): string {
  return `${s.algorithm}, ${s.length} characters, key fingerprint ${s.fingerprint}`;
}

/**
 * What a writing run does with the record: nothing when it matches, write it when there is none (the
 * first epoch) or when `newKey` starts a new epoch, refuse otherwise.
 */
export function decideRecord(
  current: PseudonymRecord | undefined,
  scheme: PseudonymScheme,
  options: { newKey: boolean; now: Date },
): RecordDecision {
  const from = options.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (current === undefined) {
    return {
      kind: 'write',
      first: true,
      epoch: 1,
      record: { ...scheme, epochs: [{ epoch: 1, fingerprint: scheme.fingerprint, from }] },
    };
  }
  const same =
    current.algorithm === scheme.algorithm &&
    current.length === scheme.length &&
    current.fingerprint === scheme.fingerprint;
  const last = current.epochs[current.epochs.length - 1]!;
  if (same) {
    if (options.newKey)
      return {
        kind: 'refuse',
        message: `--new-key: the key and scheme are already those of pseudonym epoch ${last.epoch} (${describe(current)}): drop --new-key`,
      };
    return { kind: 'same' };
  }
  if (!options.newKey)
    return {
      kind: 'refuse',
      message: `the pseudonymisation key or scheme (${describe(scheme)}) is not the one this data was written with (${describe(current)}, epoch ${last.epoch} since ${last.from}): its pseudonyms would not join; use the data's key, or start a new pseudonym epoch with --new-key (README: Privacy)`,
    };
  const epoch = Math.max(...current.epochs.map((e) => e.epoch)) + 1;
  return {
    kind: 'write',
    first: false,
    epoch,
    record: {
      ...scheme,
      epochs: [...current.epochs, { epoch, fingerprint: scheme.fingerprint, from }],
    },
  };
}

/** The file's text: stable key order, two-space indent, a final newline (the same record, the same bytes). */
export function formatRecord(record: PseudonymRecord): string {
  const ordered = {
    algorithm: record.algorithm,
    length: record.length,
    fingerprint: record.fingerprint,
    epochs: record.epochs.map((e) => ({ epoch: e.epoch, fingerprint: e.fingerprint, from: e.from })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Parses the file's text; a message naming the problem when it is not a valid record. */
export function parseRecord(text: string): { record: PseudonymRecord } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  const parsed = pseudonymRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { problem: `${issue.path.join('.') || '(top)'}: ${issue.message}` };
  }
  const r = parsed.data;
  if (r.epochs[r.epochs.length - 1]!.fingerprint !== r.fingerprint)
    return { problem: 'fingerprint is not the last epoch’s' };
  return { record: r };
}
