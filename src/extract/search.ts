import { errors } from '@elastic/elasticsearch';
import type { EngineClient } from './engine.js';
import { EsError, InterruptedError } from '../errors.js';
import { retry } from '../retry.js';
import type { Logger } from '../log.js';
import {
  checkSearchAnswer,
  deepestCause,
  describeCause,
  describeShardFailure,
  failedShardsOf,
  isRetryableCause,
  oneLine,
} from './answer.js';
import {
  AnswerTooLargeError,
  DEFAULT_MAX_RESPONSE_BYTES,
  formatBytes,
  NotElasticsearchError,
  requestJson,
  type JsonRequest,
} from './request.js';

/**
 * The one place netlog sends a search: with a timeout, retries (netlog's one policy, src/retry.ts:
 * exponential backoff, full jitter, at most 30 s a wait) for 429, 502/503/504, timeouts and
 * connection errors — that classification is classifyEsError's — and one clear error line otherwise.
 */

export interface SearchContext {
  /** Elasticsearch or OpenSearch (engine.ts): answers and errors come in Elasticsearch's shape. */
  readonly client: EngineClient;
  /** The URL, for error messages. */
  readonly endpoint: string;
  readonly log: Logger;
  readonly maxRetries: number;
  readonly retryBaseMs: number;
  readonly signal?: AbortSignal;
  /** The largest answer read, after decompression (es.max_response_mb). */
  readonly maxResponseBytes?: number;
}

export interface SearchResult {
  readonly aggregations: Record<string, unknown>;
  readonly took: number;
  readonly totalHits: number;
  /** The answer's size in bytes, after decompression. */
  readonly answerBytes: number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/**
 * A whole answer that still cannot be used: failed shards, a timed-out search, skipped remote
 * clusters, an error inside a 200. Whether it is retried is decided by its reason.
 */
class PartialAnswerError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'PartialAnswerError';
  }
}

/** Why a request failed, in one line, and whether trying again may help. */
export function classifyEsError(
  err: unknown,
  endpoint: string,
  index: string,
): { message: string; retryable: boolean; statusCode?: number } {
  if (err instanceof PartialAnswerError)
    return { message: `Elasticsearch at ${endpoint}: ${err.message}`, retryable: err.retryable };
  if (err instanceof AnswerTooLargeError) {
    return {
      message: `Elasticsearch at ${endpoint} sent an answer for "${index}" larger than ${formatBytes(err.limitBytes)} (es.max_response_mb): lower es.page_size, or raise es.max_response_mb if the answer is genuine`,
      retryable: false,
    };
  }
  if (err instanceof NotElasticsearchError) {
    return {
      message: `${endpoint} ${err.message}`,
      retryable: false,
      statusCode: err.statusCode,
    };
  }
  if (err instanceof errors.ProductNotSupportedError) {
    return {
      message: `${endpoint} answered without Elasticsearch's product header: it is not Elasticsearch (a proxy or another server?): check ES_URL`,
      retryable: false,
    };
  }
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 0;
    const body = err.body as { error?: unknown } | string | undefined;
    const error = typeof body === 'object' && body !== null ? body.error : undefined;
    const type =
      typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string'
        ? (error as { type: string }).type
        : undefined;
    const cause = deepestCause(error);
    const shards = failedShardsOf(error).map(describeShardFailure);
    const reason =
      shards.length > 0
        ? `${shards[0]!.line}${shards.length > 1 ? ` (and ${shards.length - 1} more)` : ''}`
        : error !== undefined
          ? describeCause(cause)
          : typeof body === 'string' && body !== ''
            ? `not Elasticsearch's JSON: "${oneLine(body, 80)}"`
            : 'no reason given';
    if (status === 401)
      return {
        message: `Elasticsearch at ${endpoint} rejected the credentials (401): check ES_API_KEY or ES_USERNAME/ES_PASSWORD`,
        retryable: false,
        statusCode: status,
      };
    if (status === 403)
      return {
        message: `Elasticsearch at ${endpoint} denied access to "${index}" (403): grant the user read and view_index_metadata on it`,
        retryable: false,
        statusCode: status,
      };
    if (status === 404 && type === 'index_not_found_exception') {
      return {
        message: `index pattern "${index}" matches no index on ${endpoint}: check the table's index (netlog doctor lists what exists)`,
        retryable: false,
        statusCode: status,
      };
    }
    // Missing or failed shards: the cluster could not search all of the data (a node left, an
    // index is red). Asking again helps when the shard is relocating or its node coming back.
    // (A 4xx with failed shards is a query every shard rejects: reported below as a rejection.)
    if (status >= 500 && (type === 'search_phase_execution_exception' || shards.length > 0)) {
      return {
        message: `Elasticsearch at ${endpoint} could not search every shard of "${index}" (${status}): ${reason}; check the cluster's health (netlog doctor)`,
        retryable: shards.length > 0 ? shards.every((f) => f.retryable) : isRetryableCause(cause),
        statusCode: status,
      };
    }
    if (RETRYABLE_STATUS.has(status))
      return {
        message: `Elasticsearch at ${endpoint} answered ${status} (${type ?? 'busy'}) for "${index}"`,
        retryable: true,
        statusCode: status,
      };
    return {
      message: `Elasticsearch at ${endpoint} rejected the query on "${index}" (${status}${type !== undefined ? ` ${type}` : ''}): ${reason}`,
      retryable: false,
      statusCode: status,
    };
  }
  if (err instanceof errors.TimeoutError) {
    return {
      message: `Elasticsearch at ${endpoint} did not answer in time for "${index}": raise es.request_timeout_ms or ES_TIMEOUT_MS, or check the cluster's load`,
      retryable: true,
    };
  }
  if (
    err instanceof errors.ConnectionError &&
    /certificate|self[- ]signed|unable to verify|CERT_|altnames/i.test(err.message)
  ) {
    const reason =
      /(self[- ]signed certificate[^,;)]*|unable to verify[^,;)]*|certificate has expired|Hostname\/IP does not match[^,;)]*|[A-Z_]*CERT[A-Z_]*)/i.exec(
        err.message,
      )?.[1] ?? 'untrusted certificate';
    return {
      message: `Elasticsearch at ${endpoint} presented a certificate netlog does not trust (${reason}): set ES_CA_CERT to its CA file (or --insecure, for testing only)`,
      retryable: false,
    };
  }
  if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) {
    const code = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EPIPE|socket hang up)\b/.exec(
      err.message,
    )?.[1];
    const what =
      code === 'ECONNREFUSED'
        ? 'refused the connection'
        : code === 'ENOTFOUND'
          ? 'could not be resolved'
          : `could not be reached${code ? ` (${code})` : ''}`;
    return { message: `Elasticsearch at ${endpoint} ${what}: is it running? check ES_URL`, retryable: true };
  }
  if (err instanceof errors.DeserializationError || err instanceof errors.SerializationError) {
    return {
      message: `Elasticsearch at ${endpoint} sent an unreadable answer for "${index}": ${err.message}`,
      retryable: true,
    };
  }
  return {
    message: `request to Elasticsearch at ${endpoint} failed: ${err instanceof Error ? err.message : String(err)}`,
    retryable: false,
  };
}

/** Runs `call` with netlog's retry policy (src/retry.ts); maps the final failure to an EsError. */
export async function withEsRetry<T>(
  ctx: SearchContext,
  what: { index: string; table?: string; day?: string },
  call: () => Promise<T>,
): Promise<T> {
  const classify = (err: unknown) => classifyEsError(err, ctx.endpoint, what.index);
  return retry(call, {
    retries: ctx.maxRetries,
    baseMs: ctx.retryBaseMs,
    ...(ctx.signal && { signal: ctx.signal }),
    // A request cut short by SIGINT/SIGTERM is an interruption, not an Elasticsearch failure.
    interrupted: () => new InterruptedError(),
    retryable: (err) => classify(err).retryable,
    onRetry: (err, attempt, delayMs) => {
      const { message, statusCode } = classify(err);
      ctx.log.warn(
        { ...what, attempt, delayMs, statusCode, reason: message },
        'elasticsearch request failed, retrying',
      );
    },
    giveUp: (err, attempts) => {
      const { message, retryable, statusCode } = classify(err);
      return new EsError(attempts > 1 ? `${message} (gave up after ${attempts} attempts)` : message, {
        ...(statusCode !== undefined && { statusCode }),
        ...what,
        retryable,
        cause: err,
      });
    },
  });
}

/**
 * A size-0 search whose aggregations are what we want. `allow_no_indices: false` makes a wrong
 * pattern an error instead of zeros; `allow_partial_search_results: false` makes a missing shard an
 * error instead of an answer without its documents; and the answer is checked all the same (failed
 * shards, timed_out, skipped remote clusters) before anything is read from it.
 */
export async function searchAggregations(
  ctx: SearchContext,
  what: { index: string; table?: string; day?: string },
  body: Record<string, unknown>,
): Promise<SearchResult> {
  let answerBytes = 0;
  const answer = await withEsRetry(ctx, what, async () => {
    const { body: response, bytes } = await sendJsonSized(ctx, {
      method: 'POST',
      path: `/${encodeURIComponent(what.index)}/_search`,
      querystring: SEARCH_PARAMS,
      body,
    });
    const problem = checkSearchAnswer(response, what.index);
    if (problem) throw new PartialAnswerError(problem.message, problem.retryable);
    answerBytes = bytes;
    return response as {
      aggregations?: Record<string, unknown>;
      took?: unknown;
      hits: { total: number | { value: number } };
    };
  });
  const total = answer.hits.total;
  return {
    aggregations: answer.aggregations ?? {},
    took: typeof answer.took === 'number' && Number.isFinite(answer.took) ? answer.took : 0,
    totalHits: typeof total === 'number' ? total : total.value,
    answerBytes,
  };
}

/** The query-string parameters of every search netlog sends. */
const SEARCH_PARAMS = {
  allow_no_indices: false,
  ignore_unavailable: false,
  allow_partial_search_results: false,
} as const;

/** One request with the context's size cap and signal; the caller wraps it in withEsRetry. */
export async function sendJson(ctx: SearchContext, request: JsonRequest): Promise<unknown> {
  return (await sendJsonSized(ctx, request)).body;
}

/** sendJson, with the answer's size in bytes after decompression. */
function sendJsonSized(ctx: SearchContext, request: JsonRequest): Promise<{ body: unknown; bytes: number }> {
  return requestJson(ctx.client, request, {
    maxBytes: ctx.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
  });
}
