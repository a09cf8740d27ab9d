import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCommitMessage } from '../../src/publish/commit-message.js';
import { staleReason } from '../../src/schedule/lock.js';

test('the commit message names the day and the tables', () => {
  assert.equal(
    buildCommitMessage(['dns/2026/2026-11-24.csv', 'total/2026/2026-11-24.csv', '.gitignore']),
    'netlog: 2026-11-24, 2 tables, 3 files\n\nTables: dns, total\nOther files: 1\n',
  );
});

test('a range of days is summarised, with the days listed when there are few', () => {
  const paths = ['2026-10-30', '2026-10-31', '2026-11-01'].flatMap((d) => [
    `dns/${d.slice(0, 4)}/${d}.csv`,
    `websites/${d.slice(0, 4)}/${d}.csv`,
  ]);
  assert.equal(
    buildCommitMessage(paths),
    'netlog: 2026-10-30..2026-11-01, 2 tables, 6 files\n\nTables: dns, websites\nDays: 2026-10-30, 2026-10-31, 2026-11-01\n',
  );
  assert.match(buildCommitMessage(['tls/2026/2026-11-25.partial.csv']), /Includes partial days/);
});

test('a lock is stale when its process is gone on this host or it is too old', () => {
  const now = new Date('2026-11-25T06:00:00Z');
  const holder = { pid: 4242, hostname: 'box', cmd: 'load-daily', startedAt: '2026-11-25T05:59:00Z' };
  const opts = (alive: boolean, host = 'box') => ({ maxAgeMs: 3_600_000, host, isAlive: () => alive });
  assert.equal(staleReason(holder, now, opts(true)), undefined);
  assert.equal(staleReason(holder, now, opts(false)), 'process 4242 is gone');
  assert.equal(
    staleReason(holder, now, opts(false, 'other-host')),
    undefined,
    'a pid on another host cannot be checked',
  );
  assert.equal(
    staleReason({ ...holder, startedAt: '2026-11-25T04:00:00Z' }, now, opts(true)),
    'it is older than 1 h',
  );
});
