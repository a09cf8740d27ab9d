import { metricFields, type TableConfig } from '../config/schema.js';

/**
 * Pure checks of a table against what `_field_caps` says of its indices: every field exists with a
 * type netlog can use. One problem a line, each naming the fix.
 */

export interface FieldCaps {
  /** field → type → { aggregatable } */
  readonly fields: Record<string, Record<string, { aggregatable?: boolean }>>;
  readonly indices: readonly string[];
}

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);
const DATE = new Set(['date', 'date_nanos']);

/** The fields a table reads, with the kind of type each needs. */
export function fieldsNeeded(
  table: TableConfig,
): { field: string; need: 'date' | 'ip' | 'numeric' | 'aggregatable'; why: string }[] {
  const needs: ReturnType<typeof fieldsNeeded> = [
    { field: table.time_field, need: 'date', why: 'time_field' },
  ];
  for (const f of table.filters) {
    if ('internal' in f) needs.push({ field: f.internal, need: 'ip', why: 'internal filter (CIDR match)' });
    if ('external' in f) needs.push({ field: f.external, need: 'ip', why: 'external filter (CIDR match)' });
  }
  for (const m of table.metrics)
    for (const field of metricFields(m)) needs.push({ field, need: 'numeric', why: `metric ${m.name}` });
  for (const l of table.levels)
    for (const field of l.fields) needs.push({ field, need: 'aggregatable', why: `level ${l.column}` });
  return needs;
}

/** Every problem of `table` given its field capabilities; an empty list means ready. */
export function diagnoseTable(table: TableConfig, caps: FieldCaps): string[] {
  const problems: string[] = [];
  for (const { field, need, why } of fieldsNeeded(table)) {
    const types = Object.entries(caps.fields[field] ?? {}).filter(([type]) => type !== 'unmapped');
    if (types.length === 0) {
      problems.push(
        `${table.name}: field ${field} (${why}) does not exist in ${table.index}: fix the field name or the mapping`,
      );
      continue;
    }
    if (types.length > 1) {
      problems.push(
        `${table.name}: field ${field} has conflicting types ${types.map(([t]) => t).join('/')} across ${table.index}: align the mappings`,
      );
      continue;
    }
    const [type, cap] = types[0]!;
    if (need === 'date' && !DATE.has(type))
      problems.push(`${table.name}: ${field} is ${type}, not a date: set time_field to a date field`);
    if (need === 'ip' && type !== 'ip')
      problems.push(`${table.name}: ${field} is ${type}, not ip: CIDR filters need an ip field`);
    if (need === 'numeric' && !NUMERIC.has(type))
      problems.push(`${table.name}: ${field} is ${type}, not numeric: ${why} needs a number field`);
    if (need === 'aggregatable' && cap.aggregatable === false) {
      problems.push(
        `${table.name}: ${field} is ${type} and not aggregatable: map it as keyword (or use its .keyword sub-field)`,
      );
    }
  }
  return problems;
}
