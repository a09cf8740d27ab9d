import { isIP } from 'node:net';
import { reduceHost } from './domain.js';
import { parseAddress } from './address.js';
import {
  DEFAULT_NAME_POLICY,
  NO_NAME,
  freeText,
  isWritableKey,
  keptValue,
  normaliseForPseudonym,
  type InternalNamePolicy,
} from './safe-value.js';
import { InternalError } from '../errors.js';
import type { Pseudonymise } from './pseudonymise.js';
import type { RawRow, RawValue } from './flatten.js';
import type { Level } from '../config/schema.js';

/**
 * Raw bucket values → the CSV's key columns: for each level the first field that has a value, then the
 * level's transform. Whatever the transform, a keyed cell holds only what is known safe (safe-value.ts):
 * a pseudonym, a public registrable domain, a vetted internal name, a plain number or kept token, or
 * the "no name" value; `text` alone holds free text, scrubbed and formula-escaped. Pure.
 */

export interface KeyedRow {
  readonly time: number;
  readonly keys: readonly string[];
  readonly metrics: readonly (number | null)[];
}

export interface TransformOptions {
  readonly pseudonymise: Pseudonymise;
  readonly internalDomains: readonly string[];
  /** Which internal server names are shown (config internal_names); default: all but personal devices. */
  readonly internalNames?: InternalNamePolicy;
}

/** One level's value for the CSV. */
export function transformValue(
  value: RawValue,
  level: Pick<Level, 'transform'>,
  options: TransformOptions,
): string {
  if (value === null) return NO_NAME;
  const text = String(value);
  if (level.transform === 'text') return freeText(text, options.pseudonymise);
  const out = keyedValue(text, level.transform, options);
  // The allowlist by construction; this guards it against a future bug: a cell that is not a
  // pseudonym, a name, a number or empty is never written.
  if (!isWritableKey(out))
    throw new InternalError(
      `transform ${level.transform} produced a value that is not allowed in a keyed cell`,
    );
  return out;
}

function keyedValue(
  text: string,
  transform: Exclude<Level['transform'], 'text'>,
  options: TransformOptions,
): string {
  switch (transform) {
    case 'ip':
      // An IP field: the pseudonym of the address (any spelling), or of the text when it is not one.
      // Elasticsearch's ip fields come back in the usual spelling: the hot path skips the parsing.
      if (isIP(text) !== 0) return options.pseudonymise(text);
      return text === '' ? NO_NAME : options.pseudonymise(parseAddress(text) ?? normaliseForPseudonym(text));
    case 'host':
    case 'domain':
    case 'server': {
      const reduced = reduceHost(
        text,
        transform,
        options.internalDomains,
        options.internalNames ?? DEFAULT_NAME_POLICY,
      );
      if (reduced.kind === 'ip') return options.pseudonymise(reduced.ip);
      if (reduced.kind === 'pseudonymise') return options.pseudonymise(reduced.text);
      return reduced.name;
    }
    case 'keep':
      return keptValue(text, options.pseudonymise);
  }
}

/** A level's value: the first of its `count` fields from `offset` that has one (not null, not ''). */
function firstValue(values: readonly RawValue[], offset: number, count: number): RawValue {
  for (let i = offset; i < offset + count; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && v !== '') return v;
  }
  return null;
}

/** Applies the levels to a raw row; `values` holds the levels' fields in order (see levelFields). */
export function transformRow(raw: RawRow, levels: readonly Level[], options: TransformOptions): KeyedRow {
  const keys: string[] = [];
  let offset = 0;
  for (const level of levels) {
    keys.push(transformValue(firstValue(raw.values, offset, level.fields.length), level, options));
    offset += level.fields.length;
  }
  return { time: raw.time, keys, metrics: raw.metrics };
}

/**
 * transformRow for the rows of one table: each level's value is transformed once and remembered
 * (a day repeats the same few thousand addresses and names across its 96 buckets; the transforms
 * are pure for fixed options). Each level remembers at most `limit` values and starts again when
 * full, so memory stays bounded on any network.
 */
export function rowTransformer(
  levels: readonly Level[],
  options: TransformOptions,
  limit = 50_000,
): (raw: RawRow) => KeyedRow {
  const caches = levels.map(() => new Map<RawValue, string>());
  // Where each level's fields start among a row's values.
  const offsets: number[] = [];
  let offset = 0;
  for (const level of levels) {
    offsets.push(offset);
    offset += level.fields.length;
  }
  return (raw) => {
    const keys: string[] = [];
    for (let l = 0; l < levels.length; l++) {
      const level = levels[l]!;
      const first = firstValue(raw.values, offsets[l]!, level.fields.length);
      const cache = caches[l]!;
      let key = cache.get(first);
      if (key === undefined) {
        key = transformValue(first, level, options);
        if (cache.size >= limit) cache.clear();
        cache.set(first, key);
      }
      keys.push(key);
    }
    return { time: raw.time, keys, metrics: raw.metrics };
  };
}
