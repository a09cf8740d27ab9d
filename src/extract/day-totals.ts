import { buildDayTotalsQuery, readMetric } from './query.js';
import { DataError } from '../errors.js';
import { searchAggregations, type SearchContext } from './search.js';
import { isAdditive } from '../config/metric-rules.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { DayRange } from '../time/day.js';

/**
 * What Elasticsearch holds now for a table's day: the document count and the sums, the numbers a
 * stored file must still add up to. Logs that arrived after the morning run show up as a difference.
 */
export async function fetchDayTotals(
  es: SearchContext,
  table: TableConfig,
  range: DayRange,
  config: Config,
): Promise<Record<string, number>> {
  const result = await searchAggregations(
    es,
    { index: table.index, table: table.name, day: range.day },
    buildDayTotalsQuery(table, range, config),
  );
  return dayTotalsFromResponse(table, result.totalHits, result.aggregations);
}

/** The additive metrics of a totals response, keyed by metric name. Pure. */
export function dayTotalsFromResponse(
  table: TableConfig,
  totalHits: number,
  aggregations: Record<string, unknown>,
): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const m of table.metrics) {
    if (!isAdditive(m)) continue;
    if (m.type === 'count') totals[m.name] = totalHits;
    else {
      const value: unknown = readMetric(aggregations, m) ?? 0;
      // Distrust the answer: a sum must be a finite number, or the comparison means nothing.
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new DataError(
          `${table.name}: the totals answer has a sum "${m.name}" that is not a finite number (${typeof value})`,
        );
      totals[m.name] = value;
    }
  }
  return totals;
}
