/**
 * What an Elasticsearch answer says went wrong, read without trusting it. Pure.
 *
 * A cluster answers HTTP 200 with the aggregations of the shards that did answer when others failed,
 * timed out or belong to a remote cluster that was skipped. netlog asks for no partial results
 * (`allow_partial_search_results: false`) and still checks every answer: a partial answer is a
 * failure of that (table, day), never a short file.
 */

/** One problem of an answer: one line for the operator, and whether asking again may help. */
export interface AnswerProblem {
  readonly message: string;
  readonly retryable: boolean;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** At most this many characters of any text taken from an answer (a reason, a body). */
const MAX_TEXT = 300;

/** `text` on one line, without control characters, cut to a readable length. */
export function oneLine(text: string, max = MAX_TEXT): string {
  const flat = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * The reason of an Elasticsearch error, from the deepest `caused_by` that has one: the outer levels
 * often say only "search_phase_execution_exception" with an empty reason. Falls back to the first
 * root cause, then the error itself. A chain is followed at most 20 levels deep (a hostile answer
 * may nest without end).
 */
export function deepestCause(error: unknown): { type?: string; reason?: string } {
  if (!isObject(error)) return typeof error === 'string' ? { reason: oneLine(error) } : {};
  let best: { type?: string; reason?: string } = {};
  let node: unknown = error;
  for (let depth = 0; isObject(node) && depth < 20; depth++) {
    const type = str(node.type);
    const reason = str(node.reason);
    if (reason !== undefined) best = { ...(type !== undefined && { type }), reason: oneLine(reason) };
    else if (best.reason === undefined && type !== undefined) best = { type };
    node = node.caused_by;
  }
  if (best.reason === undefined && Array.isArray(error.root_cause)) {
    const root = error.root_cause.find((r) => isObject(r) && str(r.reason) !== undefined) as Json | undefined;
    if (root)
      return {
        ...(str(root.type) !== undefined && { type: root.type as string }),
        reason: oneLine(root.reason as string),
      };
  }
  return best;
}

/** "type: reason", or whichever of them there is. */
export function describeCause(cause: { type?: string; reason?: string }): string {
  if (cause.type !== undefined && cause.reason !== undefined) return `${cause.type}: ${cause.reason}`;
  return cause.reason ?? cause.type ?? 'no reason given';
}

/**
 * Failures that may pass by themselves: a shard relocating or recovering, a node that left or is
 * restarting, a full queue, a transient circuit breaker, a timed-out search. Everything else (a bad
 * query, a closed or missing index, a mapping conflict) fails the same way on every try.
 */
const RETRYABLE_TYPES = new Set([
  'no_shard_available_action_exception',
  'shard_not_found_exception',
  'illegal_index_shard_state_exception',
  'unavailable_shards_exception',
  'primary_missing_action_exception',
  'node_disconnected_exception',
  'node_not_connected_exception',
  'node_closed_exception',
  'connect_transport_exception',
  'receive_timeout_transport_exception',
  'send_request_transport_exception',
  'transport_exception',
  'es_rejected_execution_exception',
  'task_cancelled_exception',
  'search_context_missing_exception',
  'elasticsearch_timeout_exception',
  'search_timeout_exception',
  'cluster_block_exception',
]);
const RETRYABLE_REASON =
  /missing shards|no shard available|node (?:disconnected|not connected|closed|left)|relocat|recover|not (?:yet )?started|shard not found|timed? ?out|rejected execution|\[TRANSIENT\]|durability=TRANSIENT/i;

/** Whether a failure with this cause may pass when asked again (bounded by the retry policy). */
export function isRetryableCause(cause: { type?: string; reason?: string }): boolean {
  if (cause.type === 'circuit_breaking_exception') return /TRANSIENT/.test(cause.reason ?? '');
  if (cause.type !== undefined && RETRYABLE_TYPES.has(cause.type)) return true;
  return cause.reason !== undefined && RETRYABLE_REASON.test(cause.reason);
}

/** "index "x" shard 2 (node n1): reason" for one entry of `_shards.failures` or `failed_shards`. */
export function describeShardFailure(failure: unknown): { line: string; retryable: boolean } {
  if (!isObject(failure)) return { line: 'a shard failed (no details)', retryable: false };
  const index = str(failure.index) ?? 'unknown index';
  const shard = typeof failure.shard === 'number' ? String(failure.shard) : '?';
  const node = str(failure.node);
  const cause = deepestCause(failure.reason);
  return {
    line: `index "${oneLine(index, 120)}" shard ${shard}${node !== undefined ? ` (node ${oneLine(node, 60)})` : ''}: ${describeCause(cause)}`,
    retryable: isRetryableCause(cause),
  };
}

/** The failed shards of an error body (`failed_shards` at any depth of the caused_by chain). */
export function failedShardsOf(error: unknown): unknown[] {
  for (let node = error, depth = 0; isObject(node) && depth < 20; node = node.caused_by, depth++)
    if (Array.isArray(node.failed_shards) && node.failed_shards.length > 0) return node.failed_shards;
  return [];
}

/**
 * The problem with a 2xx search answer, or undefined when it is whole: it must be a search answer (an
 * object with `_shards` and `hits`, no `error`), with no failed shard, not timed out, every remote
 * cluster searched, and an exact hit count.
 */
export function checkSearchAnswer(body: unknown, index: string): AnswerProblem | undefined {
  const on = `"${index}"`;
  if (!isObject(body))
    return { message: `the answer for ${on} is not a search result (${typeof body})`, retryable: false };
  if (body.error !== undefined) {
    const cause = deepestCause(body.error);
    return {
      message: `the answer for ${on} is an error although its status says success: ${describeCause(cause)}`,
      retryable: isRetryableCause(cause),
    };
  }
  const shards = body._shards;
  if (!isObject(shards) || !isCount(shards.total) || !isCount(shards.successful))
    return {
      message: `the answer for ${on} has no valid _shards section: not a search result`,
      retryable: false,
    };
  const failed = isCount(shards.failed) ? shards.failed : 0;
  const failures = Array.isArray(shards.failures) ? shards.failures : [];
  // Shards skipped by the can-match phase (nothing in them can match) count as successful.
  if (failed > 0 || failures.length > 0 || shards.successful < shards.total) {
    const described = failures.map(describeShardFailure);
    const first = described[0]?.line ?? 'no details given';
    const more = described.length > 1 ? ` (and ${described.length - 1} more)` : '';
    return {
      message: `${failed || failures.length || shards.total - shards.successful} of ${shards.total} shards of ${on} failed: ${first}${more}`,
      retryable: described.length === 0 || described.every((d) => d.retryable),
    };
  }
  if (body.timed_out !== false) {
    return {
      message: `the search on ${on} timed out (timed_out: ${JSON.stringify(body.timed_out) ?? 'missing'}): its answer covers only part of the data`,
      retryable: body.timed_out === true,
    };
  }
  const clusters = body._clusters;
  if (clusters !== undefined) {
    if (!isObject(clusters))
      return { message: `the answer for ${on} has an invalid _clusters section`, retryable: false };
    const bad = ['skipped', 'failed', 'partial', 'running'].filter(
      (k) => typeof clusters[k] === 'number' && (clusters[k] as number) > 0,
    );
    if (bad.length > 0) {
      const details = isObject(clusters.details) ? clusters.details : {};
      const named = Object.entries(details)
        .filter(([, d]) => isObject(d) && str(d.status) !== undefined && d.status !== 'successful')
        .map(([name, d]) => {
          const failure = Array.isArray((d as Json).failures)
            ? ((d as Json).failures as unknown[])[0]
            : undefined;
          const why = failure === undefined ? '' : `: ${describeShardFailure(failure).line}`;
          return `${oneLine(name, 80)} ${(d as Json).status as string}${why}`;
        });
      return {
        message: `remote clusters of ${on} were not all searched (${bad.map((k) => `${k} ${clusters[k] as number}`).join(', ')})${named.length > 0 ? `: ${named.join('; ')}` : ''}`,
        retryable: true,
      };
    }
  }
  const hits = body.hits;
  if (!isObject(hits))
    return { message: `the answer for ${on} has no hits section: not a search result`, retryable: false };
  const total = hits.total;
  if (isObject(total)) {
    if (!isCount(total.value) || total.relation !== 'eq')
      return {
        message: `the answer for ${on} has no exact hit count (${oneLine(JSON.stringify(total), 80)})`,
        retryable: false,
      };
  } else if (!isCount(total)) {
    return { message: `the answer for ${on} has an invalid hit count`, retryable: false };
  }
  if (body.aggregations !== undefined && !isObject(body.aggregations))
    return { message: `the answer for ${on} has invalid aggregations`, retryable: false };
  return undefined;
}

/** A non-negative integer: a count of documents or shards. */
export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
