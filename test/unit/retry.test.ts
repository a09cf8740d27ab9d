import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retry } from '../../src/retry.js';

// netlog's one retry policy, tested once here: every caller (Elasticsearch searches, git pushes)
// gets these delays. Expected values are worked out by hand from the policy's definition
// (full jitter: floor(random · min(30 000, base · 2^retry))), not by calling the code under test.

/** A sleep that records its waits and returns at once. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

test('backoff: full jitter under a ceiling that doubles from the base, each wait at most 30 s', async () => {
  const { waits, sleep } = recordingSleep();
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw new Error('busy');
      },
      {
        retries: 7,
        baseMs: 2000,
        retryable: () => true,
        interrupted: () => new Error('interrupted'),
        random: () => 0.999,
        sleep,
      },
    ),
    /busy/,
  );
  assert.equal(calls, 8);
  // floor(0.999 · 2000), · 4000, · 8000, · 16000, then 32 s, 64 s… are over the 30 s cap.
  assert.deepEqual(waits, [1998, 3996, 7992, 15984, 29970, 29970, 29970]);

  // The window starts at 0: random 0 means no wait at all.
  const zero = recordingSleep();
  await assert.rejects(
    retry(
      async () => {
        throw new Error('busy');
      },
      {
        retries: 2,
        baseMs: 500,
        retryable: () => true,
        interrupted: () => 'x',
        random: () => 0,
        sleep: zero.sleep,
      },
    ),
  );
  assert.deepEqual(zero.waits, [0, 0]);
});

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
