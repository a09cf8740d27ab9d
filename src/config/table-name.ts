/**
 * What a table name may be, in one place: it is also a folder under the data directory and a
 * resource name in datapackage.json, so it must be safe as both (no dot, no slash, no upper case
 * that a case-insensitive filesystem would fold). Pure.
 */

export const TABLE_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;

export function isTableName(name: string): boolean {
  return TABLE_NAME_RE.test(name);
}
