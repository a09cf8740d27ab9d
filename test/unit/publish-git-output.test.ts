import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyPushFailure, gitFailureReason, parseStatusZ } from '../../src/publish/git-output.js';
import { maskUrlCredentials } from '../../src/net/url-credentials.js';
import { scrubSecrets } from '../../src/log-file.js';
import { isPublishedPath, mergeGitignore, selectPublishedPaths } from '../../src/publish/data-files.js';
import { describePublish } from '../../src/publish/publish-result.js';

// Error messages of simple-git's push() captured from git 2.39 (push --verbose --porcelain).
const FETCH_FIRST =
  "To /tmp/cap/r.git\n!\tHEAD:refs/heads/main\t[rejected] (fetch first)\nDone\nPushing to /tmp/cap/r.git\nerror: failed to push some refs to '/tmp/cap/r.git'\nhint: Updates were rejected because the remote contains work that you do\nhint: not have locally. This is usually caused by another repository pushing\nhint: to the same ref. You may want to first integrate the remote changes\nhint: (e.g., 'git pull ...') before pushing again.\nhint: See the 'Note about fast-forwards' in 'git push --help' for details.\n";
const NON_FAST_FORWARD =
  "To /tmp/cap/r.git\n!\tHEAD:refs/heads/main\t[rejected] (non-fast-forward)\nDone\nPushing to /tmp/cap/r.git\nerror: failed to push some refs to '/tmp/cap/r.git'\nhint: Updates were rejected because the tip of your current branch is behind\nhint: its remote counterpart. Integrate the remote changes (e.g.\nhint: 'git pull ...') before pushing again.\nhint: See the 'Note about fast-forwards' in 'git push --help' for details.\n";
const NO_REPO =
  "Pushing to /tmp/cap/nope.git\nfatal: '/tmp/cap/nope.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n";
const HOOK_DECLINED =
  "To /tmp/cap/r.git\n!\tHEAD:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone\nPushing to /tmp/cap/r.git\nremote: branch is protected        \nerror: failed to push some refs to '/tmp/cap/r.git'\n";
const TIMEOUT = 'block timeout reached';
const HTTPS_AUTH =
  "fatal: Authentication failed for 'https://netlog:ghp_secret123@git.example.org/netops/data.git/'\n";

test('push failures: behind → rebase, refused → no retry, anything else → retry', () => {
  assert.equal(classifyPushFailure(FETCH_FIRST), 'behind');
  assert.equal(classifyPushFailure(NON_FAST_FORWARD), 'behind');
  assert.equal(classifyPushFailure(HOOK_DECLINED), 'refused');
  assert.equal(classifyPushFailure(HTTPS_AUTH), 'refused');
  assert.equal(classifyPushFailure(NO_REPO), 'unreachable');
  assert.equal(classifyPushFailure(TIMEOUT), 'unreachable');
  assert.equal(
    classifyPushFailure('ssh: connect to host git.example.org port 22: Connection refused'),
    'unreachable',
  );
});

test('the one-line reason of a git failure: push status, else fatal/error, hints dropped, secrets masked', () => {
  assert.equal(gitFailureReason(FETCH_FIRST), 'rejected (fetch first)');
  assert.equal(gitFailureReason(NON_FAST_FORWARD), 'rejected (non-fast-forward)');
  assert.equal(
    gitFailureReason(HOOK_DECLINED),
    'remote rejected (pre-receive hook declined): branch is protected',
  );
  assert.equal(gitFailureReason(NO_REPO), "'/tmp/cap/nope.git' does not appear to be a git repository");
  assert.equal(
    gitFailureReason(TIMEOUT),
    'git gave no sign of life within the timeout (git.timeout_ms) and was stopped',
  );
  assert.equal(
    gitFailureReason(HTTPS_AUTH),
    "Authentication failed for 'https://***@git.example.org/netops/data.git/'",
  );
  assert.equal(gitFailureReason(`fatal: ${'x'.repeat(400)}`).length, 300);
});

test('credentials in URLs are masked wherever they appear', () => {
  assert.equal(
    maskUrlCredentials('push to https://user:tok@host/x.git and ssh://git@host:22/y'),
    'push to https://***@host/x.git and ssh://***@host:22/y',
  );
  assert.equal(
    maskUrlCredentials('/srv/git/data.git git@host:netops/data.git'),
    '/srv/git/data.git git@host:netops/data.git',
  );
});

// `git status --porcelain=v1 -z --untracked-files=all` captured from git 2.39: a deleted .gitignore,
// a staged rename of a day file, a modified CSV with a space, an atomic write's temp file, a new CSV.
const STATUS =
  ' D .gitignore\0R  dns/2026/2026-11-25.csv\0dns/2026/2026-11-24.csv\0 M we ird.csv\0?? .x.csv.1.ab.tmp\0?? new.csv\0';

test('status entries, and which of them publish stages', () => {
  const entries = parseStatusZ(STATUS);
  assert.deepEqual(entries, [
    { status: ' D', path: '.gitignore' },
    { status: 'R ', path: 'dns/2026/2026-11-25.csv', from: 'dns/2026/2026-11-24.csv' },
    { status: ' M', path: 'we ird.csv' },
    { status: '??', path: '.x.csv.1.ab.tmp' },
    { status: '??', path: 'new.csv' },
  ]);
  // Only netlog's files: day files of configured tables in the layout and the metadata files.
  assert.deepEqual(selectPublishedPaths(entries, new Set(['dns'])), {
    publish: ['.gitignore', 'dns/2026/2026-11-24.csv', 'dns/2026/2026-11-25.csv'],
    others: ['.x.csv.1.ab.tmp', 'new.csv', 'we ird.csv'],
  });
  assert.deepEqual(parseStatusZ(''), []);
  const tables = new Set(['dns', 'tls']);
  for (const p of [
    '.netlog.lock',
    '.netlog.lock.takeover/x',
    'notes.txt',
    'dns/2026/.2026-11-24.csv.42.ab.tmp',
    'sub/README.md',
    'README',
    'debug/raw-export.csv',
    'raw.csv',
    'dns/2025/2026-11-24.csv', // the year folder does not match the day
    'dns/2026/2026-11-24.csv.bak',
    'websites/2026/2026-11-24.csv', // not a configured table
    'dns/2026/x/2026-11-24.csv',
  ])
    assert.equal(isPublishedPath(p, tables), false, p);
  for (const p of [
    'README.md',
    '.gitignore',
    'datapackage.json',
    'pseudonym.json',
    'tls/2026/2026-11-25.partial.csv',
    'dns/2026/2026-11-25.csv',
  ])
    assert.equal(isPublishedPath(p, tables), true, p);
});

test('the .gitignore gains netlog lines once, keeping the operator lines', () => {
  const fresh = mergeGitignore(undefined);
  assert.equal(
    fresh,
    '# netlog: its run lock and the temporary files of atomic writes\n.netlog.lock\n.netlog.lock.takeover/\n*.tmp\n',
  );
  assert.equal(mergeGitignore(fresh), undefined);
  assert.equal(
    mergeGitignore('*.bak\n*.tmp'),
    '*.bak\n*.tmp\n# netlog: its run lock and the temporary files of atomic writes\n.netlog.lock\n.netlog.lock.takeover/\n',
  );
});

test('what publish prints: the commit, and either pushed or kept locally with the reason', () => {
  assert.deepEqual(
    describePublish({
      committed: true,
      commit: '0123456789abcdef',
      subject: 'netlog: 2026-11-24, 2 tables, 3 files',
      files: 3,
      pushed: true,
      pending: 0,
      rebased: true,
    }),
    [
      'committed 0123456789: netlog: 2026-11-24, 2 tables, 3 files',
      'pushed (after rebasing onto commits the remote had): the remote is up to date',
    ],
  );
  assert.deepEqual(
    describePublish({
      committed: false,
      files: 0,
      pushed: false,
      pending: 2,
      pushError: 'no route',
      rebased: false,
    }),
    [
      'nothing new to commit',
      'push failed (no route): 2 commit(s) kept locally; the next netlog publish sends them (see logs/elastic.log)',
    ],
  );
});

test('every log and terminal line hides the credentials of any URL, not only the configured ones', () => {
  // A remote's token netlog never saw by value (it came from git's own config), inside an error's cause.
  const line =
    "publish failed: fatal: unable to access 'https://bot:ghp_unknownToken42@git.example.org/d.git/'";
  const out = scrubSecrets(line, ['some-other-secret']);
  assert.ok(!out.includes('ghp_unknownToken42'), out);
  assert.ok(!out.includes('bot:'), out);
  assert.ok(out.includes('https://***@git.example.org/d.git/'), out);
});
