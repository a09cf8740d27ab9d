import { parseDayFileRelPath } from '../store/layout.js';

/**
 * The commit message of a publish, from the paths it commits: which days and which tables, so that
 * `git log` of the analysts' repository reads as a history of the data. Pure.
 *
 *   netlog: 2026-11-24, 10 tables, 10 files
 *   netlog: 2026-10-02..2026-10-31, 10 tables, 300 files
 */
export function buildCommitMessage(paths: readonly string[]): string {
  const refs = paths.map((p) => parseDayFileRelPath(p)).filter((r) => r !== undefined);
  const days = [...new Set(refs.map((r) => r.day))].sort();
  const tables = [...new Set(refs.map((r) => r.table))].sort();
  const other = paths.length - refs.length;
  const span =
    days.length === 0 ? 'housekeeping' : days.length === 1 ? days[0]! : `${days[0]}..${days.at(-1)}`;
  const subject = `netlog: ${span}${tables.length ? `, ${tables.length} table${tables.length > 1 ? 's' : ''}` : ''}, ${paths.length} file${paths.length === 1 ? '' : 's'}`;
  const body = [
    tables.length ? `Tables: ${tables.join(', ')}` : '',
    days.length > 1 && days.length <= 31 ? `Days: ${days.join(', ')}` : '',
    refs.some((r) => r.partial) ? 'Includes partial days (written before the day was over).' : '',
    other ? `Other files: ${other}` : '',
  ].filter((l) => l !== '');
  return body.length ? `${subject}\n\n${body.join('\n')}\n` : `${subject}\n`;
}
