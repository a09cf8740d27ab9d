import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, MAX_BACKOFF_MS, retry } from '../../src/retry.js';

// netlog's one retry policy, tested once here: every caller (Elasticsearch searches, git pushes)
// gets these delays. Expected values are worked out by hand from the policy's definition
// (full jitter: floor(random · min(30 000, base · 2^retry))), not by calling the code under test.

test('backoff: full jitter over a doubling ceiling, capped at 30 s', () => {
  assert.equal(MAX_BACKOFF_MS, 30_000);
  // random = 0.5: half of 100, 200, 400, 800 ms.
  assert.deepEqual(
    [0, 1, 2, 3].map((r) => backoffDelayMs(r, 100, () => 0.5)),
    [50, 100, 200, 400],
  );
  // The bounds of the window: random 0 → no wait, random just below 1 → just below the ceiling.
  assert.equal(
    backoffDelayMs(3, 500, () => 0),
    0,
  );
  assert.equal(
    backoffDelayMs(3, 500, () => 0.999),
    3996,
  ); // floor(0.999 · 4000)
  // 2 s · 2^5 = 64 s is over the cap: the window is 30 s.
  assert.equal(
    backoffDelayMs(5, 2000, () => 0.999),
    29_970,
  );
  assert.equal(
    backoffDelayMs(40, 2000, () => 0.5),
    15_000,
  );
});

/** A sleep that records its waits and returns at once. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

test('retry: retries + 1 attempts at most, waits from the policy, the last failure mapped by giveUp', async () => {
  const { waits, sleep } = recordingSleep();
  const randoms = [0.25, 0.5, 0.75];
  const retries: [number, number][] = [];
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw new Error('busy');
      },
      {
        retries: 3,
        baseMs: 1000,
        retryable: () => true,
        onRetry: (_err, n, delayMs) => void retries.push([n, delayMs]),
        giveUp: (err, attempts) => new Error(`gave up after ${attempts}: ${(err as Error).message}`),
        interrupted: () => new Error('interrupted'),
        random: () => randoms.shift()!,
        sleep,
      },
    ),
    /^Error: gave up after 4: busy$/,
  );
  assert.equal(calls, 4);
  // 0.25 · 1000, 0.5 · 2000, 0.75 · 4000.
  assert.deepEqual(waits, [250, 1000, 3000]);
  assert.deepEqual(retries, [
    [1, 250],
    [2, 1000],
    [3, 3000],
  ]);
});

test('retry: success after failures returns the value; a failure the caller says is final is not retried', async () => {
  const { waits, sleep } = recordingSleep();
  const seen: number[] = [];
  const value = await retry(
    async (n) => {
      seen.push(n);
      if (n < 2) throw new Error('busy');
      return 'ok';
    },
    { retries: 5, baseMs: 10, retryable: () => true, interrupted: () => 'x', random: () => 0.5, sleep },
  );
  assert.equal(value, 'ok');
  assert.deepEqual(seen, [0, 1, 2]);
  assert.deepEqual(waits, [5, 10]);

  let calls = 0;
  const final = new Error('bad query');
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw final;
      },
      { retries: 5, baseMs: 10, retryable: (e) => e !== final, interrupted: () => 'x', sleep },
    ),
    (err) => err === final,
  );
  assert.equal(calls, 1);
});

test('retry: an abort before an attempt, after a failure or during a wait throws the interruption', async () => {
  const interrupted = new Error('interrupted');
  const options = { retries: 3, baseMs: 10, retryable: () => true, interrupted: () => interrupted };

  const before = new AbortController();
  before.abort();
  let calls = 0;
  await assert.rejects(
    retry(async () => void calls++, { ...options, signal: before.signal }),
    (e) => e === interrupted,
  );
  assert.equal(calls, 0);

  // The request was cut short by the signal: an interruption, not a failure to retry or give up on.
  const during = new AbortController();
  await assert.rejects(
    retry(
      async () => {
        during.abort();
        throw new Error('socket closed');
      },
      { ...options, signal: during.signal, giveUp: () => new Error('gave up') },
    ),
    (e) => e === interrupted,
  );

  // The real wait (no injected sleep) ends as soon as the signal aborts.
  const waiting = new AbortController();
  await assert.rejects(
    retry(
      async () => {
        throw new Error('busy');
      },
      {
        ...options,
        baseMs: 60_000,
        random: () => 0.99,
        signal: waiting.signal,
        onRetry: () => setImmediate(() => waiting.abort()),
      },
    ),
    (e) => e === interrupted,
  );
});
