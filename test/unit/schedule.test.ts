import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Writable } from 'node:stream';
import { runSchedule, validateSchedule } from '../../src/schedule/cron.js';
import { ConfigError } from '../../src/errors.js';

function capturingLogger(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

test('bad cron expressions are config errors', () => {
  assert.throws(
    () => validateSchedule([{ name: 'load', expression: '61 6 * * *', run: async () => 0 }]),
    (e: unknown) =>
      e instanceof ConfigError &&
      /schedule.load: "61 6 \* \* \*" is not a cron expression/.test((e as Error).message),
  );
});

test('real node-cron ticks run the job; a tick during a run is skipped, never queued; stop waits for the run', async () => {
  const { log, lines } = capturingLogger();
  const controller = new AbortController();
  let runs = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const job = {
    name: 'load',
    expression: '* * * * * *', // every second
    run: async () => {
      runs++;
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await sleep(2200);
      concurrent--;
      return 0;
    },
  };
  const done = runSchedule([job], { log, signal: controller.signal });
  await sleep(5500);
  controller.abort();
  const failures = await done;
  assert.equal(failures, 0);
  assert.equal(maxConcurrent, 1, 'never two runs at once');
  assert.ok(runs >= 2 && runs <= 3, `${runs} runs in 5.5 s of 2.2 s jobs`);
  const skipped = lines.filter(
    (l) => l.msg === 'scheduled run skipped: the previous job is still running',
  ).length;
  assert.ok(skipped >= 2, `${skipped} skipped ticks`);
  assert.equal(concurrent, 0, 'the running job finished before runSchedule returned');
  assert.equal(lines.filter((l) => l.msg === 'scheduled job finished').length, runs);
});
