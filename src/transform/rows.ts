import { reduceHost } from './domain.js';
import { replaceIpLiterals } from './ip.js';
import type { Pseudonymise } from './pseudonymise.js';
import type { RawRow, RawValue } from './flatten.js';
import type { Level } from '../config/schema.js';

/**
 * Raw bucket values → the CSV's key columns: for each level the first field that has a value, then the
 * level's transform. Whatever the transform, no IP literal survives: IPs become pseudonyms. Pure.
 */

export interface KeyedRow {
  readonly time: number;
  readonly keys: readonly string[];
  readonly metrics: readonly (number | null)[];
}

export interface TransformOptions {
  readonly pseudonymise: Pseudonymise;
  readonly internalDomains: readonly string[];
}

/** One level's value for the CSV. */
export function transformValue(
  value: RawValue,
  level: Pick<Level, 'transform'>,
  options: TransformOptions,
): string {
  if (value === null) return '';
  const text = String(value);
  switch (level.transform) {
    case 'ip':
      return options.pseudonymise(text);
    case 'host':
    case 'domain':
    case 'server': {
      const reduced = reduceHost(text, level.transform, options.internalDomains);
      return reduced.kind === 'ip' ? options.pseudonymise(reduced.ip) : reduced.name;
    }
    case 'keep':
      // Kept as is, except any address in it (a URL with an IP host, say), which becomes its pseudonym.
      return replaceIpLiterals(text, options.pseudonymise);
  }
}

/** Applies the levels to a raw row; `values` holds the levels' fields in order (see levelFields). */
export function transformRow(raw: RawRow, levels: readonly Level[], options: TransformOptions): KeyedRow {
  const keys: string[] = [];
  let offset = 0;
  for (const level of levels) {
    const candidates = raw.values.slice(offset, offset + level.fields.length);
    offset += level.fields.length;
    const first = candidates.find((v) => v !== null && v !== '') ?? null;
    keys.push(transformValue(first, level, options));
  }
  return { time: raw.time, keys, metrics: raw.metrics };
}
