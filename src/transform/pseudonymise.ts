import { createHash, createHmac } from 'node:crypto';
import { canonicalIp } from '../net/ip.js';

/**
 * Keyed pseudonyms: HMAC-SHA256(key, canonical value), hex, cut to `length` characters. The value is
 * an IP address in its canonical text (so every spelling of one address gives one pseudonym), or the
 * normalised text of a value that may not be shown (see safe-value.ts). The same value and key give
 * the same pseudonym on every day and run, so analysts can join tables; without the key nobody can
 * reverse one by hashing the (small) IPv4 space. The legacy unkeyed SHA-1 mode exists only for
 * continuity with CSVs of the old job.
 */

export interface PseudonymOptions {
  readonly algorithm: 'hmac-sha256' | 'sha1';
  readonly length: number;
}

export type Pseudonymise = (value: string) => string;

/**
 * A pseudonymiser with a small cache (a day repeats the same addresses thousands of times). The cache
 * is keyed by the text as given, so a repeated address skips its canonicalisation too; two spellings
 * of one address are two entries with the same pseudonym.
 */
export function createPseudonymiser(options: PseudonymOptions, key: Buffer): Pseudonymise {
  const cache = new Map<string, string>();
  return (value) => {
    let out = cache.get(value);
    if (out === undefined) {
      const hash = options.algorithm === 'sha1' ? createHash('sha1') : createHmac('sha256', key);
      out = hash.update(canonicalIp(value)).digest('hex').slice(0, options.length);
      if (cache.size > 200_000) cache.clear();
      cache.set(value, out);
    }
    return out;
  };
}

/**
 * The fixed label whose keyed hash identifies a key without revealing it. It is not an address or a
 * name, so the fingerprint is never a pseudonym found in a table.
 */
const FINGERPRINT_LABEL = 'netlog pseudonym key fingerprint v1';

/**
 * The key's fingerprint: HMAC-SHA256(key, FINGERPRINT_LABEL), 16 hex characters (SHA-1 of the label in
 * the unkeyed legacy mode). Recorded in the data repository so that a run with another key is noticed
 * before it writes pseudonyms that no longer join.
 */
export function keyFingerprint(options: PseudonymOptions, key: Buffer): string {
  const hash = options.algorithm === 'sha1' ? createHash('sha1') : createHmac('sha256', key);
  return hash.update(FINGERPRINT_LABEL).digest('hex').slice(0, 16);
}
