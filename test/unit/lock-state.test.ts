import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeHeldLock,
  parseLockHolder,
  staleReason,
  type LockCheck,
} from '../../src/store/lock-state.js';

const holder = { pid: 4242, hostname: 'box', cmd: 'load-daily', startedAt: '2026-11-25T05:59:00.000Z' };
const check = (over: Partial<LockCheck> = {}): LockCheck => ({
  now: new Date('2026-11-25T06:00:00Z'),
  maxAgeMs: 3_600_000,
  host: 'box',
  ownPid: 1,
  heldHere: false,
  isAlive: () => true,
  startedAtOf: () => Date.parse('2026-11-25T05:58:59Z'),
  ...over,
});

test('a live holder on this host keeps its lock', () => {
  assert.equal(staleReason(holder, check()), undefined);
  assert.equal(
    staleReason(holder, check({ startedAtOf: () => undefined })),
    undefined,
    'no /proc: alive is enough',
  );
});

test('a dead pid, a reused pid, or a lock older than the max age is stale', () => {
  assert.equal(staleReason(holder, check({ isAlive: () => false })), 'process 4242 is gone');
  assert.equal(
    staleReason(holder, check({ startedAtOf: () => Date.parse('2026-11-25T05:59:30Z') })),
    'pid 4242 now belongs to a process started after the lock was taken',
  );
  assert.equal(
    staleReason(holder, check({ startedAtOf: () => Date.parse('2026-11-25T05:59:01.500Z') })),
    undefined,
    'within the start-time slack',
  );
  assert.equal(
    staleReason(
      { ...holder, startedAt: '2026-11-25T04:00:00Z' },
      check({ startedAtOf: () => Date.parse('2026-11-25T03:59:59Z') }),
    ),
    'it is older than 1 h',
  );
  assert.equal(
    staleReason(
      { ...holder, startedAt: '2026-11-25T05:00:00Z' },
      check({ maxAgeMs: 90 * 60_000, startedAtOf: () => Date.parse('2026-11-25T04:59:59Z') }),
    ),
    undefined,
  );
});

test('our own pid: stale unless this process holds the lock (a restarted container is pid 1 again)', () => {
  const mine = { ...holder, pid: 1 };
  assert.equal(staleReason(mine, check()), 'pid 1 is this process, which does not hold it');
  assert.equal(staleReason(mine, check({ heldHere: true })), undefined);
});

test('a pid from another host cannot be checked: only the age counts', () => {
  const remote = { ...holder, hostname: 'other' };
  assert.equal(staleReason(remote, check({ isAlive: () => false })), undefined);
  assert.equal(
    staleReason({ ...remote, startedAt: '2026-11-24T00:00:00Z' }, check()),
    'it is older than 1 h',
  );
});

test('lock files: a holder is parsed; torn, empty or foreign content is not', () => {
  assert.deepEqual(parseLockHolder(`${JSON.stringify(holder)}\n`), holder);
  for (const text of [
    '',
    '{"pid":4',
    'null',
    '[]',
    '{"pid":"1","hostname":"b","cmd":"x","startedAt":"2026-11-25T00:00:00Z"}',
    '{"pid":1,"hostname":"b","cmd":"x","startedAt":"soon"}',
  ])
    assert.equal(parseLockHolder(text), undefined, text);
});

test('the LockError line names the holder, since when, and how to clear a stale lock', () => {
  assert.equal(
    describeHeldLock('data', 'data/.netlog.lock', holder),
    'the data directory data is locked by netlog load-daily (pid 4242 on box) since 2026-11-25T05:59:00.000Z: wait for it to finish, or delete data/.netlog.lock if that process is gone',
  );
});
