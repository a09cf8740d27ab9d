import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rename, utimes, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { formatCsv } from '../../src/store/csv.js';

// Real git, a real bare remote at a local path; no Elasticsearch needed: day files are written here.
let tmp: { path: string; cleanup: () => Promise<void> };
let remote: string;
let data: string;
let config: string;
let logFile: string;

const git = (args: string[], cwd?: string) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const remoteLog = () => git(['--git-dir', remote, 'log', '--format=%an|%s', 'main']).split('\n');
const remoteFile = (path: string) => git(['--git-dir', remote, 'show', `main:${path}`]);
const netlog = (args: string[]) =>
  runCli([...args, '--data', data, '--config', config], { env: { NETLOG_LOG_FILE: logFile } });

async function writeDay(table: string, day: string, count: number): Promise<void> {
  await mkdir(join(data, table, day.slice(0, 4)), { recursive: true });
  await writeFile(
    join(data, table, day.slice(0, 4), `${day}.csv`),
    formatCsv(['timestamp', 'count', 'bytes'], [[`${day}T00:00:00Z`, count, count * 10]]),
  );
}

before(async () => {
  tmp = await tempDir('git');
  remote = join(tmp.path, 'analysts.git');
  data = join(tmp.path, 'data');
  logFile = join(tmp.path, 'elastic.log');
  config = join(tmp.path, 'netlog.json');
  await writeFile(
    config,
    JSON.stringify({ git: { push_retries: 1, author_name: 'netlog-test', author_email: 'netlog@test' } }),
  );
  git(['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
  const init = await netlog(['init-data', '--remote', remote]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /cloned/);
});

after(async () => {
  await tmp.cleanup();
});

test('publish commits the day files once, named by day and tables, and pushes', async () => {
  await writeDay('dns', '2026-11-24', 5);
  await writeDay('total', '2026-11-24', 9);
  const result = await netlog(['publish']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(remoteLog(), ['netlog-test|netlog: 2026-11-24, 2 tables, 3 files']);
  assert.equal(remoteFile('dns/2026/2026-11-24.csv'), 'timestamp,count,bytes\n2026-11-24T00:00:00Z,5,50');
  assert.match(remoteFile('.gitignore'), /\.netlog\.lock/);
  // Nothing changed: no empty commit, locally or on the remote.
  const again = await netlog(['publish']);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /nothing new to commit/);
  assert.equal(remoteLog().length, 1);
  assert.equal(git(['rev-list', '--count', 'HEAD'], data), '1');
});

test('an unreachable remote keeps the commit; the next publish delivers it', async () => {
  const away = `${remote}.away`;
  await rename(remote, away);
  await writeDay('dns', '2026-11-25', 7);
  const failed = await netlog(['publish']);
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /push failed: 1 commit\(s\) kept locally; the next publish sends them/);
  assert.equal(git(['log', '-1', '--format=%s'], data), 'netlog: 2026-11-25, 1 table, 1 file');
  await rename(away, remote);
  const delivered = await netlog(['publish']);
  assert.equal(delivered.code, 0, delivered.stderr);
  assert.match(delivered.stdout, /nothing new to commit\npushed/);
  assert.equal(remoteLog()[0], 'netlog-test|netlog: 2026-11-25, 1 table, 1 file');
  const lines = (await readFile(logFile, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; module?: string });
  assert.ok(
    lines.some(
      (l) =>
        l.module === 'git' &&
        l.msg === 'git push failed: the commits stay local and go out on the next publish',
    ),
  );
  assert.ok(lines.some((l) => l.module === 'git' && l.msg === 'git push'));
});

test('a remote that moved on is rebased onto: both sides survive, no merge commit, no force', async () => {
  const other = join(tmp.path, 'other-clone');
  git(['clone', '--quiet', remote, other]);
  await mkdir(join(other, 'notes'), { recursive: true });
  await writeFile(join(other, 'README.md'), 'analysts notes\n');
  git(['add', 'README.md'], other);
  git(
    [
      '-c',
      'user.name=analyst',
      '-c',
      'user.email=a@example.org',
      'commit',
      '--quiet',
      '-m',
      'analyst: readme',
    ],
    other,
  );
  git(['push', '--quiet', 'origin', 'main'], other);
  await writeDay('tls', '2026-11-25', 3);
  const result = await netlog(['publish']);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.deepEqual(remoteLog().slice(0, 2), [
    'netlog-test|netlog: 2026-11-25, 1 table, 1 file',
    'analyst|analyst: readme',
  ]);
  assert.equal(remoteFile('README.md'), 'analysts notes');
  assert.equal(remoteFile('tls/2026/2026-11-25.csv'), 'timestamp,count,bytes\n2026-11-25T00:00:00Z,3,30');
  assert.equal(git(['--git-dir', remote, 'rev-list', '--merges', '--count', 'main']), '0');
});

test('a stale .git/index.lock is removed with a warning; a fresh one is reported', async () => {
  const lock = join(data, '.git', 'index.lock');
  await writeFile(lock, '');
  const fresh = await netlog(['publish']);
  assert.equal(fresh.code, 1);
  assert.match(
    fresh.stderr,
    /index\.lock is \d+ s old: a git command is running in .*; try again when it is done/,
  );
  const old = new Date(Date.now() - 5 * 60_000);
  await utimes(lock, old, old);
  await writeDay('dhcp', '2026-11-25', 1);
  const result = await netlog(['publish']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /removed a stale \.git\/index\.lock left by a crashed git/);
  assert.equal(remoteLog()[0], 'netlog-test|netlog: 2026-11-25, 1 table, 1 file');
});

test('publish on a folder that is not a working copy says how to set it up', async () => {
  const result = await runCli(['publish', '--data', join(tmp.path, 'plain')], {
    env: { NETLOG_LOG_FILE: logFile },
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /is not a git working copy: run netlog init-data --remote URL --data/);
});
