import { setTimeout as sleepFor } from 'node:timers/promises';

/**
 * netlog's one retry policy, used by every loop that tries a remote again (Elasticsearch searches in
 * src/extract/search.ts, git pushes in src/publish/push.ts): exponential backoff with full jitter
 * (wait = random(0, base·2^retry), each wait at most MAX_BACKOFF_MS), abort-aware. Which failures are
 * worth another try stays with each caller, which knows its errors; only the timing lives here.
 *
 * Why full jitter: many workers (or hosts) that failed together come back spread over the whole
 * window instead of in step (the 429 storms an overloaded cluster answers with); the cap keeps a cron
 * run from sleeping for minutes on one request.
 *
 * Why not a library: p-retry's jitter multiplies by random(1, 2) and exponential-backoff's "full"
 * jitter reads Math.random and sleeps without an AbortSignal; neither lets the random source and the
 * sleep be injected, which is what lets the policy be tested once (test/unit/retry.test.ts) with
 * delays computed independently.
 */

/** The longest single wait between two attempts. */
const MAX_BACKOFF_MS = 30_000;

/** The wait before retry `retry` (0 for the first retry): full jitter over a capped exponential ceiling. */
function backoffDelayMs(retry: number, baseMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(MAX_BACKOFF_MS, baseMs * 2 ** retry));
}

interface RetryOptions {
  /** Tries after the first one: at most `retries + 1` attempts in all. */
  readonly retries: number;
  /** The first backoff ceiling; doubled for each retry. */
  readonly baseMs: number;
  /** The caller's classification: may another try help after this failure? */
  readonly retryable: (err: unknown) => boolean;
  /** Called before each wait (to log it): `retry` counts from 1. */
  readonly onRetry?: (err: unknown, retry: number, delayMs: number) => void;
  /** The error to throw after the last failed attempt, given how many were made (default: the failure). */
  readonly giveUp?: (err: unknown, attempts: number) => unknown;
  /**
   * SIGINT/SIGTERM: checked before each attempt and after each failure (a request cut short by the
   * signal is an interruption, not a failure of the remote), and it ends a wait at once.
   */
  readonly signal?: AbortSignal;
  /** The error thrown when `signal` aborted. */
  readonly interrupted: () => unknown;
  /** For tests: the random source of the jitter, [0, 1). */
  readonly random?: () => number;
  /** For tests: the wait (rejects when `signal` aborts). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
}

const realSleep = (ms: number, signal?: AbortSignal): Promise<unknown> =>
  sleepFor(ms, undefined, signal && { signal });

/** Runs `attempt` (given its 0-based number) until it succeeds, fails for good, or the signal aborts. */
export async function retry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal } = options;
  const sleep = options.sleep ?? realSleep;
  for (let n = 0; ; n++) {
    if (signal?.aborted) throw options.interrupted();
    try {
      return await attempt(n);
    } catch (err) {
      if (signal?.aborted) throw options.interrupted();
      if (n >= options.retries || !options.retryable(err)) {
        throw options.giveUp ? options.giveUp(err, n + 1) : err;
      }
      const delayMs = backoffDelayMs(n, options.baseMs, options.random);
      options.onRetry?.(err, n + 1, delayMs);
      try {
        await sleep(delayMs, signal);
      } catch (sleepErr) {
        if (signal?.aborted) throw options.interrupted();
        throw sleepErr;
      }
    }
  }
}
