/**
 * The composite page of the per-table plan: es.page_size's default before the query planner (#18).
 * The Python baseline (bench/baseline.py, BASELINE_PAGE_SIZE) and the per-table floor
 * (bench/es-floor.ts --plan per-table) send the request bodies netlog sent then.
 */
export const BASELINE_PAGE_SIZE = 5_000;
