import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { isNetlogScratch, refusedCheckout, refusedIncoming } from '../../src/publish/data-files.js';
import { parseNamesZ } from '../../src/publish/git-output.js';
import { PATH_BATCH, pathBatches, pushTask } from '../../src/publish/git-tasks.js';
import { judgeIndexLock, STALE_INDEX_LOCK_MS } from '../../src/publish/index-lock.js';
import { MAX_REBASES, nextPushStep } from '../../src/publish/push-decision.js';
import { localRemotePath, sameRemote, unusableRemote } from '../../src/publish/remote-url.js';

// The decisions publish makes, as pure functions: each case is a situation and what must happen.

test('index.lock: a running git keeps it, so does youth; old and alone, it is removed', () => {
  const base = { path: '/d/.git/index.lock', dataDir: '/d' };
  assert.equal(STALE_INDEX_LOCK_MS, 60_000);
  assert.deepEqual(judgeIndexLock({ ...base, ageMs: 5 * 60_000, gitPids: [] }), {
    remove: true,
    ageSeconds: 300,
  });
  // A live git wins over any age.
  assert.deepEqual(judgeIndexLock({ ...base, ageMs: 5 * 60_000, gitPids: [41, 42] }), {
    remove: false,
    message: '/d/.git/index.lock is held by a running git (pid 41, 42) in /d; try again when it is done',
  });
  // Younger than a minute: a git /proc cannot show may hold it.
  assert.deepEqual(judgeIndexLock({ ...base, ageMs: 59_499, gitPids: [] }), {
    remove: false,
    message: '/d/.git/index.lock is 59 s old: a git command is running in /d; try again when it is done',
  });
  assert.equal(judgeIndexLock({ ...base, ageMs: 60_000, gitPids: [] }).remove, true);
  // A lock from the future (clock skew on a shared folder) is young, not stale.
  assert.equal(judgeIndexLock({ ...base, ageMs: -10_000, gitPids: [] }).remove, false);
});

test('after a failed push: refused stops, behind rebases a few times then retries, unreachable retries', () => {
  assert.equal(MAX_REBASES, 3);
  assert.equal(nextPushStep('refused', 0), 'stop');
  assert.equal(nextPushStep('unreachable', 0), 'retry');
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((done) => nextPushStep('behind', done)),
    ['rebase', 'rebase', 'rebase', 'retry', 'retry'],
  );
});

test('remote values: local paths compared as paths, network addresses as text, options refused', () => {
  assert.equal(localRemotePath('/srv/a.git'), '/srv/a.git');
  assert.equal(localRemotePath('file:///srv/a.git'), '/srv/a.git');
  assert.equal(localRemotePath('rel/a.git'), resolve('rel/a.git'));
  for (const url of ['https://h/a.git', 'ssh://git@h/a.git', 'git@h:a.git', 'h:a.git'])
    assert.equal(localRemotePath(url), undefined, url);

  assert.equal(sameRemote('/srv/a.git', 'file:///srv/a.git'), true);
  assert.equal(sameRemote('/srv/a.git', '/srv/./x/../a.git'), true);
  assert.equal(sameRemote('/srv/a.git', '/srv/b.git'), false);
  assert.equal(sameRemote('https://h/a.git', 'https://h/a.git'), true);
  assert.equal(sameRemote('https://h/a.git', 'https://h/b.git'), false);
  // A network address is never equal to a path, however it resolves.
  assert.equal(sameRemote('git@h:a.git', resolve('git@h:a.git')), false);

  assert.equal(unusableRemote('--upload-pack=touch /tmp/x'), true);
  assert.equal(unusableRemote('  '), true);
  assert.equal(unusableRemote('/srv/a.git'), false);
});

test('tasks: paths go in batches after "--"; a push is never forced', () => {
  const paths = Array.from({ length: PATH_BATCH * 2 + 1 }, (_, i) => `p${i}`);
  const batches = pathBatches(['add', '--all'], paths);
  assert.equal(batches.length, 3);
  assert.deepEqual(batches[2], ['add', '--all', '--', `p${PATH_BATCH * 2}`]);
  assert.deepEqual(
    batches.flatMap((b) => b.slice(3)),
    paths,
  );
  assert.ok(batches.every((b) => b[2] === '--' && b.length <= PATH_BATCH + 3));
  assert.deepEqual(pathBatches(['checkout'], []), []);

  const push = pushTask('origin', 'main');
  assert.deepEqual(push.slice(0, 3), ['push', 'origin', 'HEAD:refs/heads/main']);
  assert.ok(!push.some((a) => a === '-f' || a.startsWith('--force') || a.startsWith('+')), push.join(' '));
});

test('-z name lists and the files netlog leaves in a folder before init-data', () => {
  assert.deepEqual(parseNamesZ('a.csv\0dir/b c.csv\0'), ['a.csv', 'dir/b c.csv']);
  assert.deepEqual(parseNamesZ(''), []);
  for (const name of ['.gitignore', '.netlog.lock', '.netlog.lock.takeover', 'x.csv.tmp'])
    assert.equal(isNetlogScratch(name), true, name);
  for (const name of ['dns', 'README.md', '.git']) assert.equal(isNetlogScratch(name), false, name);
});

test("init-data's checkout refuses links, submodules and odd modes, but not files outside the layout", () => {
  const entries = [
    { status: 'A', mode: '100644', path: 'notes.txt' },
    { status: 'A', mode: '100644', path: 'dns/2026/2026-11-24.csv' },
    { status: 'A', mode: '120000', path: 'dns/2027' },
    { status: 'A', mode: '160000', path: 'vendor' },
    { status: 'A', mode: '040000', path: 'odd' },
  ];
  assert.deepEqual(refusedCheckout(entries), [
    'dns/2027 (a symbolic link)',
    'odd (mode 040000)',
    'vendor (a submodule)',
  ]);
  assert.deepEqual(refusedIncoming(entries), [
    'dns/2027 (a symbolic link)',
    "notes.txt (outside netlog's layout)",
    'odd (mode 040000)',
    'vendor (a submodule)',
  ]);
});
