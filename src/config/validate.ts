import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { defaultTables } from './defaults.js';

/**
 * Pure validation of a parsed config document. Errors name the bad path the way a user would write
 * it (`tables[3].index: expected string`), one per line.
 */
export function validateConfig(
  document: unknown,
): { config: Config; errors: [] } | { config?: undefined; errors: string[] } {
  const parsed = configSchema.safeParse(document ?? {});
  if (!parsed.success) return { errors: parsed.error.issues.map(formatIssue) };
  const { tables, ...rest } = parsed.data;
  return { config: { ...rest, tables: tables ?? defaultTables() }, errors: [] };
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
