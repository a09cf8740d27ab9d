import { createHash, createHmac } from 'node:crypto';
import { canonicalIp } from './ip.js';

/**
 * Keyed pseudonyms for IP addresses: HMAC-SHA256(key, canonical IP), hex, cut to `length` characters.
 * The same address and key give the same pseudonym on every day and run, so analysts can join tables;
 * without the key nobody can reverse one by hashing the (small) IPv4 space. The legacy unkeyed SHA-1
 * mode exists only for continuity with CSVs of the old job.
 */

export interface PseudonymOptions {
  readonly algorithm: 'hmac-sha256' | 'sha1';
  readonly length: number;
}

export type Pseudonymise = (ip: string) => string;

/**
 * A pseudonymiser with a small cache (a day repeats the same addresses thousands of times). The cache
 * is keyed by the text as given, so a repeated address skips its canonicalisation too; two spellings
 * of one address are two entries with the same pseudonym.
 */
export function createPseudonymiser(options: PseudonymOptions, key: Buffer): Pseudonymise {
  const cache = new Map<string, string>();
  return (ip) => {
    let out = cache.get(ip);
    if (out === undefined) {
      const hash = options.algorithm === 'sha1' ? createHash('sha1') : createHmac('sha256', key);
      out = hash.update(canonicalIp(ip)).digest('hex').slice(0, options.length);
      if (cache.size > 200_000) cache.clear();
      cache.set(ip, out);
    }
    return out;
  };
}
