import type { z } from 'zod';
import { configSchema, tableSchema, type Config, type TableConfig } from './schema.js';
import { defaultTables } from './defaults.js';
import { PRESETS } from './presets.js';

/**
 * Pure validation of a parsed config document. Errors name the bad path the way a user would write
 * it (`tables[3].index: expected string`), one per line.
 */
export function validateConfig(
  document: unknown,
): { config: Config; errors: [] } | { config?: undefined; errors: string[] } {
  const parsed = configSchema.safeParse(document ?? {});
  if (!parsed.success) return { errors: parsed.error.issues.map(formatIssue) };
  const { tables, settle_hours, ...rest } = parsed.data;
  if (rest.preset === undefined)
    return {
      config: { ...rest, settle_hours: settle_hours ?? 0, tables: tables ?? defaultTables() },
      errors: [],
    };
  const preset = PRESETS[rest.preset];
  return {
    config: {
      ...rest,
      settle_hours: settle_hours ?? preset.settle_hours,
      tables: overrideTables(
        preset.tables.map((t) => tableSchema.parse(t)),
        tables ?? [],
      ),
    },
    errors: [],
  };
}

/** A preset's tables with the file's: one of the same name replaces the preset's, others are added. */
function overrideTables(base: readonly TableConfig[], own: readonly TableConfig[]): TableConfig[] {
  const byName = new Map(own.map((t) => [t.name, t]));
  const merged = base.map((t) => byName.get(t.name) ?? t);
  const known = new Set(base.map((t) => t.name));
  return [...merged, ...own.filter((t) => !known.has(t.name))];
}

/** `tables[3].index: expected string, received number` */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : issue.message;
  return path ? `${path}: ${message}` : message;
}

/** The default configuration (built-in tables, default settings). */
export function defaultConfig(): Config {
  const result = validateConfig({});
  if (!result.config) throw new Error(`built-in config is invalid: ${result.errors.join('; ')}`);
  return result.config;
}
