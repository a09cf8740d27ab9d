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
    // A filter on a field that does not exist matches nothing: as silent as a wrong index.
    if ('term' in f) needs.push({ field: f.term.field, need: 'aggregatable', why: 'term filter' });
    if ('terms' in f) needs.push({ field: f.terms.field, need: 'aggregatable', why: 'terms filter' });
    if ('exists' in f) needs.push({ field: f.exists, need: 'aggregatable', why: 'exists filter' });
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

/** How well a source preset's tables fit what the cluster holds. */
export interface PresetFit {
  /** fits: every table finds indices and usable fields; partly: some do; absent: no index matches. */
  readonly status: 'fits' | 'partly' | 'absent';
  /** Index patterns of the preset that match no index. */
  readonly missingIndices: string[];
  /** Fields the preset reads that no matching index has. */
  readonly missingFields: string[];
  /** Other problems (wrong types, conflicts), as diagnoseTable words them. */
  readonly otherProblems: string[];
}

/**
 * Assesses a preset from the field capabilities of each of its index patterns (`caps` by pattern; a
 * pattern that matched nothing has no indices). Pure.
 */
export function assessPreset(
  tables: readonly TableConfig[],
  caps: ReadonlyMap<string, FieldCaps>,
): PresetFit {
  const missingIndices = new Set<string>();
  const missingFields = new Set<string>();
  const otherProblems = new Set<string>();
  let found = 0;
  for (const table of tables) {
    const c = caps.get(table.index);
    if (c === undefined || c.indices.length === 0) {
      missingIndices.add(table.index);
      continue;
    }
    found++;
    for (const { field } of fieldsNeeded(table)) {
      const types = Object.keys(c.fields[field] ?? {}).filter((t) => t !== 'unmapped');
      if (types.length === 0) missingFields.add(field);
    }
    for (const p of diagnoseTable(table, c)) if (!/ does not exist in /.test(p)) otherProblems.add(p);
  }
  const clean = missingIndices.size === 0 && missingFields.size === 0 && otherProblems.size === 0;
  return {
    status: found === 0 ? 'absent' : clean ? 'fits' : 'partly',
    missingIndices: [...missingIndices],
    missingFields: [...missingFields].sort(),
    otherProblems: [...otherProblems],
  };
}

/** The fields to ask `_field_caps` for, per index pattern, over a set of tables. */
export function fieldsByIndex(tables: readonly TableConfig[]): Map<string, string[]> {
  const byIndex = new Map<string, Set<string>>();
  for (const table of tables) {
    const set = byIndex.get(table.index) ?? byIndex.set(table.index, new Set()).get(table.index)!;
    for (const { field } of fieldsNeeded(table)) set.add(field);
  }
  return new Map([...byIndex].map(([index, fields]) => [index, [...fields].sort()]));
}

/** One index of `GET _cluster/health/<pattern>?level=indices`. */
export interface IndexHealth {
  readonly status?: string;
  readonly number_of_shards?: number;
  readonly number_of_replicas?: number;
  readonly active_primary_shards?: number;
  readonly unassigned_shards?: number;
  readonly unassigned_primary_shards?: number;
  readonly initializing_shards?: number;
  readonly relocating_shards?: number;
}

/**
 * The health of the indices a table reads: a red index (a primary shard unassigned) is a problem,
 * since every search of the table fails until it is back; a yellow one (replicas unassigned) is a
 * warning, since searches still see all the data but one more lost node may take it away.
 */
export function diagnoseHealth(
  table: Pick<TableConfig, 'name'>,
  indices: Record<string, IndexHealth>,
): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [name, h] of Object.entries(indices).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const shards = h.number_of_shards ?? 0;
    const unassigned = h.unassigned_shards ?? 0;
    if (h.status === 'red') {
      const primaries = h.unassigned_primary_shards ?? Math.max(0, shards - (h.active_primary_shards ?? 0));
      problems.push(
        `${table.name}: index "${name}" is red: ${primaries} of ${shards} primary shards unassigned: every load of this table fails until they are back (GET _cluster/allocation/explain says why)`,
      );
    } else if (h.status === 'yellow') {
      warnings.push(
        `${table.name}: index "${name}" is yellow: ${unassigned} replica shard(s) unassigned: searches still see all the data, but one more lost node may not`,
      );
    } else if (h.status !== 'green') {
      problems.push(
        `${table.name}: index "${name}" has an unknown health status ${JSON.stringify(h.status)}`,
      );
    }
  }
  return { problems, warnings };
}
