import { z } from 'zod';
import { parseCidr } from '../net/ip.js';
import { NAME_PATTERN } from '../transform/safe-value.js';
import { hourAligned, isValidTimeZone } from '../time/day.js';
import { PRESET_NAMES } from './preset-names.js';
import { TABLE_NAME_RE } from './table-name.js';

/**
 * The configuration file's schema. Every key is described and defaulted; unknown keys are errors
 * (a typo must not silently fall back to a default). Connection details and secrets come from the
 * environment instead (see env.ts).
 */

const fieldName = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_@.-]+$/, 'a field name: letters, digits and _ @ . -');

const columnName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'a column name: lower-case letters, digits and _, starting with a letter');

const filterSchema = z.union([
  z.strictObject({
    term: z.strictObject({ field: fieldName, value: z.union([z.string(), z.number(), z.boolean()]) }),
  }),
  z.strictObject({
    terms: z.strictObject({ field: fieldName, values: z.array(z.union([z.string(), z.number()])).min(1) }),
  }),
  z.strictObject({ exists: fieldName }),
  z.strictObject({ missing: fieldName }),
  z.strictObject({ internal: fieldName }).describe('the IP field lies inside internal_networks'),
  z.strictObject({ external: fieldName }).describe('the IP field lies outside internal_networks'),
  z
    .strictObject({ raw: z.record(z.string(), z.unknown()) })
    .describe('an Elasticsearch query clause, used as is'),
]);
export type Filter = z.infer<typeof filterSchema>;

export const metricSchema = z.union([
  z.strictObject({ name: columnName, type: z.literal('count') }),
  z.strictObject({ name: columnName, type: z.enum(['sum', 'max', 'min']), field: fieldName }),
  z
    .strictObject({
      name: columnName,
      type: z.literal('sum'),
      fields: z.array(fieldName).min(2).max(8),
    })
    .describe(
      'the sum of several fields (e.g. source.bytes + destination.bytes): one sum aggregation each, added up by netlog (exact for integers; no script needed)',
    ),
]);
export type Metric = z.infer<typeof metricSchema>;

/** The bucket sizes a table may have: 15 minutes (every table), or an hour (tables with levels). */
export const INTERVALS = ['15m', '1h'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Minutes of a table's buckets: 15 unless the table asks for `interval: 1h`. */
export function bucketMinutesOf(table: { readonly interval?: Interval | undefined }): number {
  return table.interval === '1h' ? 60 : 15;
}

/** The fields a metric reads (none for count). */
export function metricFields(metric: Metric): string[] {
  if (metric.type === 'count') return [];
  return 'fields' in metric ? metric.fields : [metric.field];
}

export const levelSchema = z
  .strictObject({
    column: columnName.describe('the CSV column this level fills'),
    fields: z
      .array(fieldName)
      .min(1)
      .max(4)
      .describe('fields tried in order; the first with a value wins (e.g. a name, then the IP)'),
    transform: z
      .enum(['ip', 'host', 'domain', 'server', 'keep', 'text'])
      .describe(
        'ip: keyed pseudonym; host: URL/host → registrable domain (external) or short name (internal), addresses pseudonymised; domain: registrable domain; server: short name; keep: a number or a token passing the identifier check as is, anything else pseudonymised; text: free text, addresses pseudonymised and formulas escaped. Any value that is not known safe is pseudonymised',
      ),
  })
  .describe('one nested level under the 15-minute buckets');
export type Level = z.infer<typeof levelSchema>;

export const tableSchema = z
  .strictObject({
    name: z
      .string()
      .regex(TABLE_NAME_RE, 'a table name: lower-case letters, digits and _, starting with a letter')
      .describe('also the folder under the data directory'),
    description: z.string().default(''),
    index: z.string().min(1).describe('index pattern(s), comma-separated, as Elasticsearch accepts them'),
    time_field: fieldName.default('@timestamp'),
    filters: z.array(filterSchema).default([]),
    metrics: z
      .array(metricSchema)
      .min(1)
      .default([
        { name: 'count', type: 'count' },
        { name: 'bytes', type: 'sum', field: 'network.bytes' },
      ]),
    levels: z.array(levelSchema).max(4).default([]).describe('none: a time series with one row per bucket'),
    aggregation: z
      .enum(['composite', 'terms'])
      .default('composite')
      .describe('composite pages through every bucket; terms fails loudly if a level would drop buckets'),
    terms_size: z.number().int().min(1).max(65_536).default(1000),
    interval: z
      .enum(INTERVALS)
      .optional()
      .describe(
        'bucket size of a table with levels: 15m (the default) or 1h (24 buckets a day, about a quarter of the rows of a flow table); a time series keeps 15m',
      ),
    row_bound: z
      .strictObject({
        top: z.number().int().min(1).max(1_000_000).describe('rows kept per bucket'),
        by: columnName.default('count').describe('the count or sum metric that ranks the rows'),
      })
      .optional()
      .describe(
        'keep the top N rows of each bucket (by a count or sum metric, ties by key) and fold the rest into one row whose key columns are all "(other)", so every bucket keeps its exact totals',
      ),
  })
  .superRefine((table, ctx) => {
    const columns = ['timestamp', ...table.levels.map((l) => l.column), ...table.metrics.map((m) => m.name)];
    const seen = new Set<string>();
    for (const c of columns) {
      if (seen.has(c))
        ctx.addIssue({ code: 'custom', message: `column "${c}" is used twice`, path: ['levels'] });
      seen.add(c);
    }
    if (table.aggregation === 'terms' && table.levels.some((l) => l.fields.length > 1)) {
      ctx.addIssue({
        code: 'custom',
        message: 'levels with several fields need aggregation "composite"',
        path: ['aggregation'],
      });
    }
    if (table.interval === '1h' && table.levels.length === 0)
      ctx.addIssue({
        code: 'custom',
        message:
          'interval 1h is for tables with levels (flow tables): a time series keeps its 96 15-minute buckets',
        path: ['interval'],
      });
    if (table.row_bound !== undefined) {
      const by = table.metrics.find((m) => m.name === table.row_bound!.by);
      if (table.levels.length === 0)
        ctx.addIssue({
          code: 'custom',
          message: 'row_bound is for tables with levels: a time series has one row per bucket already',
          path: ['row_bound'],
        });
      else if (table.levels.every((l) => l.transform === 'text'))
        // The "(other)" row is told apart by a key column that can never hold it (text can).
        ctx.addIssue({
          code: 'custom',
          message: 'row_bound needs at least one level whose transform is not text',
          path: ['row_bound'],
        });
      if (by === undefined || (by.type !== 'count' && by.type !== 'sum'))
        ctx.addIssue({
          code: 'custom',
          message: `row_bound.by must name a count or sum metric of the table (${table.metrics
            .filter((m) => m.type === 'count' || m.type === 'sum')
            .map((m) => m.name)
            .join(', ')})`,
          path: ['row_bound', 'by'],
        });
    }
  });
export type TableConfig = z.infer<typeof tableSchema>;

const cidr = z.string().refine((s) => parseCidr(s) !== undefined, {
  message: 'not a CIDR block: use e.g. 10.0.0.0/8 or fc00::/7',
});

export const configSchema = z
  .strictObject({
    preset: z
      .enum(PRESET_NAMES)
      .optional()
      .describe(
        "a source preset's tables and settle window; `tables` given beside it replace the preset's table of the same name and add new ones",
      ),
    settle_hours: z
      .number()
      .min(0)
      .max(720)
      .optional()
      .describe(
        "load-daily refuses a day that ended less than this many hours ago unless --partial (default: the preset's, else 0)",
      ),
    timezone: z
      .string()
      .default('UTC')
      .refine(isValidTimeZone, { message: 'not a time zone: use an IANA name such as UTC or Europe/Berlin' })
      .describe('the zone whose midnight starts a day; with daylight saving a day has 92 or 100 buckets'),
    internal_networks: z
      .array(cidr)
      .min(1)
      .default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'])
      .describe('what counts as internal: RFC 1918 and IPv6 unique-local by default'),
    internal_domains: z
      .array(z.string().regex(/^[a-z0-9.-]+$/))
      .default(['lan', 'local', 'internal', 'intranet', 'corp', 'home.arpa'])
      .describe('name suffixes of internal servers, reduced to their short name'),
    internal_names: z
      .strictObject({
        allow: z
          .array(
            z
              .string()
              .regex(NAME_PATTERN, 'a name pattern: lower-case letters, digits, - and the wildcards * and ?'),
          )
          .optional()
          .describe(
            'internal server names shown as they are (e.g. fs*, dc0?); the others are pseudonymised. Without it: every name that passes the identifier check, except personal devices (iphone, android, laptop, …)',
          ),
      })
      .prefault({})
      .describe('which internal server names a table may show'),
    pseudonym: z
      .strictObject({
        algorithm: z
          .enum(['hmac-sha256', 'sha1'])
          .default('hmac-sha256')
          .describe('sha1 (unkeyed) only for continuity with old CSVs: it can be reversed by brute force'),
        length: z
          .number()
          .int()
          .min(16, 'at least 16 hex characters (64 bits): shorter pseudonyms of different addresses collide')
          .max(64)
          .default(16)
          .describe('hex characters kept'),
      })
      .prefault({}),
    es: z
      .strictObject({
        url: z
          .string()
          .url()
          // The config file is often committed: credentials belong in the environment.
          .refine((u) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(u), {
            message: 'must not carry credentials: set ES_USERNAME/ES_PASSWORD or ES_API_KEY instead',
          })
          .optional()
          .describe('overridden by ES_URL'),
        engine: z
          .enum(['auto', 'elasticsearch', 'opensearch'])
          .default('auto')
          .describe('auto: the server decides (by its X-Elastic-Product header); overridden by ES_ENGINE'),
        request_timeout_ms: z.number().int().min(100).max(600_000).default(30_000),
        max_retries: z.number().int().min(0).max(10).default(4),
        retry_base_ms: z.number().int().min(1).max(60_000).default(500),
        max_response_mb: z
          .number()
          .int()
          .min(1)
          .max(512)
          .default(64)
          .describe('the largest answer netlog reads, after decompression; a larger one fails the table-day'),
        query_plan: z
          .enum(['auto', 'per-table'])
          .default('auto')
          .describe(
            'auto: tables of a day share requests where that gives the same rows (time series over one request split by index, a fallback level split per field; src/extract/plan-requests.ts); per-table: one request walk per table, as before',
          ),
        page_size: z
          .union([
            z.literal('auto'),
            // Every composite page is one more pass over the day's documents in Elasticsearch; the
            // cluster's search.max_buckets (65,536 by default) refuses larger pages.
            z.number().int().min(10).max(1_000_000),
          ])
          .default('auto')
          .describe(
            "composite buckets per request: auto (pages of up to 25,000 buckets, smaller when the answers are large; see src/extract/page-size.ts), or a fixed number (the cluster's search.max_buckets must allow it)",
          ),
      })
      .prefault({}),
    git: z
      .strictObject({
        author_name: z.string().min(1).default('netlog'),
        author_email: z.string().min(3).default('netlog@localhost'),
        remote: z.string().default('origin'),
        branch: z.string().default('main'),
        timeout_ms: z.number().int().min(1000).default(60_000),
        push_retries: z.number().int().min(0).max(10).default(3),
      })
      .prefault({}),
    schedule: z
      .strictObject({
        load: z.string().default('0 6 * * *').describe('cron expression of load-daily (UTC)'),
        publish: z.string().default('10 6 * * *').describe('cron expression of publish'),
      })
      .prefault({}),
    tables: z.array(tableSchema).min(1).optional().describe('replaces the built-in tables when given'),
  })
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    for (const [i, t] of (config.tables ?? []).entries()) {
      if (names.has(t.name))
        ctx.addIssue({ code: 'custom', message: `duplicate table "${t.name}"`, path: ['tables', i, 'name'] });
      names.add(t.name);
      if (t.interval === '1h' && !hourAligned(config.timezone))
        ctx.addIssue({
          code: 'custom',
          message: `interval 1h needs a time zone whose offset from UTC only ever changes by whole hours; ${config.timezone} does not (its hours would not line up with the day's start): use 15m`,
          path: ['tables', i, 'interval'],
        });
    }
  });

type ConfigFile = z.infer<typeof configSchema>;
export type Config = Omit<ConfigFile, 'tables' | 'settle_hours'> & {
  tables: TableConfig[];
  settle_hours: number;
};
