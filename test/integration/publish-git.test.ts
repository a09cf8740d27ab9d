import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  readFile,
  readdir,
  rename,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { runCli } from '../helpers/cli.js';
import { killChild, track } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { formatCsv } from '../../src/store/csv.js';
import { publishData } from '../../src/publish/publish.js';
import { defaultConfig } from '../../src/config/validate.js';

// Real git and a real bare remote at a local path, through the built binary (npm run build) as cron
// runs it; no Elasticsearch: the day files are written here. git runs without any global or system
// config (HOME is empty), as on a CI runner: netlog must bring its own identity.

let tmp: { path: string; cleanup: () => Promise<void> };
let home: string;
let n = 0;

before(async () => {
  tmp = await tempDir('git');
  home = join(tmp.path, 'home');
  await mkdir(home);
});
after(async () => {
  await tmp.cleanup();
});

// An operator's shell: EDITOR and PAGER set, which simple-git refuses by default.
const gitEnv = () => ({
  HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  EDITOR: 'vi',
  PAGER: 'less',
});
const git = (args: string[], cwd?: string) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...gitEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
const asAnalyst = ['-c', 'user.name=analyst', '-c', 'user.email=analyst@example.org'];

interface Fixture {
  dir: string;
  remote: string;
  data: string;
  config: string;
  logFile: string;
  netlog: (args: string[]) => ReturnType<typeof runCli>;
  remoteLog: () => string[];
  remoteFile: (path: string) => string;
  logLines: () => Promise<{ msg: string; module?: string; level: number; [k: string]: unknown }[]>;
}

/** A bare remote (empty, on `branch`) and a data directory made a working copy of it by init-data. */
async function setup(gitConfig: Record<string, unknown> = {}, branch = 'main'): Promise<Fixture> {
  const dir = join(tmp.path, `case-${++n}`);
  await mkdir(dir);
  const remote = join(dir, 'analysts.git');
  const data = join(dir, 'data');
  const logFile = join(dir, 'elastic.log');
  const config = join(dir, 'netlog.json');
  await writeFile(
    config,
    JSON.stringify({
      git: { push_retries: 0, author_name: 'netlog-test', author_email: 'netlog@test', branch, ...gitConfig },
    }),
  );
  git(['init', '--quiet', '--bare', `--initial-branch=${branch}`, remote]);
  const fixture: Fixture = {
    dir,
    remote,
    data,
    config,
    logFile,
    netlog: (args) =>
      runCli([...args, '--data', data, '--config', config], {
        env: { NETLOG_LOG_FILE: logFile, ...gitEnv() },
      }),
    remoteLog: () => git(['--git-dir', remote, 'log', '--format=%an <%ae>|%s', branch]).split('\n'),
    remoteFile: (path) => git(['--git-dir', remote, 'show', `${branch}:${path}`]),
    logLines: async () =>
      (await readFile(logFile, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; module?: string; level: number }),
  };
  const init = await fixture.netlog(['init-data', '--remote', remote]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, new RegExp(`: cloned \\(remote .*, branch ${branch}\\)`));
  return fixture;
}

async function writeDay(dir: string, table: string, day: string, count: number): Promise<void> {
  await mkdir(join(dir, table, day.slice(0, 4)), { recursive: true });
  await writeFile(
    join(dir, table, day.slice(0, 4), `${day}.csv`),
    formatCsv(['timestamp', 'count', 'bytes'], [[`${day}T00:00:00Z`, count, count * 10]]),
  );
}
const csv = (day: string, count: number) => `timestamp,count,bytes\n${day}T00:00:00Z,${count},${count * 10}`;

// Each case has its own remote and data directory: they run side by side.
describe('publishing with git', { concurrency: true }, () => {
  test('publish commits the day files once, named by day and tables, with the configured author, and pushes', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 5);
    await writeDay(f.data, 'total', '2026-11-24', 9);
    await writeFile(join(f.data, 'notes.txt'), 'an operator file: not published\n');
    await writeFile(join(f.data, 'dns', '2026', '.2026-11-25.csv.123.abcd.tmp'), 'half');
    const result = await f.netlog(['publish']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^committed [0-9a-f]{10}: netlog: 2026-11-24, 2 tables, 5 files\npushed: the remote/,
    );
    assert.deepEqual(f.remoteLog(), ['netlog-test <netlog@test>|netlog: 2026-11-24, 2 tables, 5 files']);
    // The day files, and the data package describing them (datapackage.json, the analysts' README).
    assert.equal(
      git(['--git-dir', f.remote, 'ls-tree', '-r', '--name-only', 'main']),
      '.gitignore\nREADME.md\ndatapackage.json\ndns/2026/2026-11-24.csv\ntotal/2026/2026-11-24.csv',
    );
    const described = JSON.parse(f.remoteFile('datapackage.json')) as {
      resources: { name: string; path: string[] }[];
    };
    assert.deepEqual(
      described.resources.map((r) => [r.name, r.path]),
      [
        ['total', ['total/2026/2026-11-24.csv']],
        ['dns', ['dns/2026/2026-11-24.csv']],
      ],
    );
    assert.equal(f.remoteFile('dns/2026/2026-11-24.csv'), csv('2026-11-24', 5));
    assert.match(f.remoteFile('.gitignore'), /^\.netlog\.lock$/m);
    assert.match(f.remoteFile('.gitignore'), /^\*\.tmp$/m);

    // Nothing changed: no empty commit, locally or on the remote, and no push.
    const again = await f.netlog(['publish']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'nothing new to commit\npushed: the remote is up to date\n');
    assert.equal(f.remoteLog().length, 1);
    assert.equal(git(['rev-list', '--count', 'HEAD'], f.data), '1');
    const logs = await f.logLines();
    assert.equal(logs.filter((l) => l.module === 'git' && l.msg === 'git push').length, 1);
    assert.ok(logs.some((l) => l.module === 'git' && l.msg === 'git: nothing new to commit'));
    assert.ok(
      logs.some((l) => l.module === 'git' && l.msg === 'git command'),
      'every git command is logged',
    );

    // A rewritten day and a deleted one are one commit; the deletion reaches the remote.
    await writeDay(f.data, 'dns', '2026-11-24', 6);
    await rm(join(f.data, 'total', '2026', '2026-11-24.csv'));
    const changed = await f.netlog(['publish']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(f.remoteLog()[0], 'netlog-test <netlog@test>|netlog: 2026-11-24, 2 tables, 4 files');
    assert.equal(f.remoteFile('dns/2026/2026-11-24.csv'), csv('2026-11-24', 6));
    assert.equal(
      git(['--git-dir', f.remote, 'ls-tree', '-r', '--name-only', 'main']),
      '.gitignore\nREADME.md\ndatapackage.json\ndns/2026/2026-11-24.csv',
    );
  });

  test('an unreachable remote keeps the commit; the next publish delivers it with the newer one', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    assert.equal((await f.netlog(['publish'])).code, 0);
    const away = `${f.remote}.away`;
    await rename(f.remote, away);
    await writeDay(f.data, 'dns', '2026-11-25', 7);
    const failed = await f.netlog(['publish']);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stdout,
      /\npush failed \('.*analysts\.git' does not appear to be a git repository\): 1 commit\(s\) kept locally; the next netlog publish sends them/,
    );
    assert.equal(git(['log', '-1', '--format=%s', 'main'], f.data), 'netlog: 2026-11-25, 1 table, 3 files');
    assert.equal(git(['--git-dir', away, 'rev-list', '--count', 'main']), '1', 'the remote did not get it');

    // The remote is back; a new day was written meanwhile: both commits go out, in order.
    await rename(away, f.remote);
    await writeDay(f.data, 'tls', '2026-11-26', 3);
    const delivered = await f.netlog(['publish']);
    assert.equal(delivered.code, 0, delivered.stderr);
    assert.deepEqual(f.remoteLog(), [
      // Each with datapackage.json and README.md, whose coverage changed.
      'netlog-test <netlog@test>|netlog: 2026-11-26, 1 table, 3 files',
      'netlog-test <netlog@test>|netlog: 2026-11-25, 1 table, 3 files',
      'netlog-test <netlog@test>|netlog: 2026-11-24, 1 table, 4 files', // with the .gitignore
    ]);
    assert.equal(f.remoteFile('dns/2026/2026-11-25.csv'), csv('2026-11-25', 7));

    // Nothing new, but a commit pending from a failed push: publish pushes it.
    await rename(f.remote, away);
    await writeDay(f.data, 'dns', '2026-11-27', 2);
    assert.equal((await f.netlog(['publish'])).code, 1);
    await rename(away, f.remote);
    const pendingOnly = await f.netlog(['publish']);
    assert.equal(pendingOnly.code, 0, pendingOnly.stderr);
    assert.equal(pendingOnly.stdout, 'nothing new to commit\npushed: the remote is up to date\n');
    assert.equal(f.remoteLog()[0], 'netlog-test <netlog@test>|netlog: 2026-11-27, 1 table, 3 files');

    const logs = await f.logLines();
    assert.equal(
      logs.filter(
        (l) =>
          l.module === 'git' &&
          l.level === 50 &&
          l.msg === 'git push failed: the commits stay local and go out on the next publish',
      ).length,
      2,
    );
  });

  test('push retries an unreachable remote with backoff before keeping the commit (in-process, short backoff)', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    await rename(f.remote, `${f.remote}.away`);
    const lines: { msg: string; attempt?: number; delayMs?: number; reason?: string }[] = [];
    const log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as never) });
    const config = defaultConfig();
    config.git = { ...config.git, push_retries: 2, author_name: 'netlog-test', author_email: 'netlog@test' };
    const started = Date.now();
    const result = await publishData({ dataDir: f.data, config, log, retryBaseMs: 100 });
    const wallMs = Date.now() - started;
    assert.equal(result.committed, true);
    assert.equal(result.pushed, false);
    assert.equal(result.pending, 1);
    assert.match(result.pushError ?? '', /does not appear to be a git repository/);
    const retries = lines.filter((l) => l.msg === 'git push failed, retrying');
    assert.deepEqual(
      retries.map((l) => l.attempt),
      [1, 2],
    );
    // netlog's one retry policy (src/retry.ts, tested in test/unit/retry.test.ts): full jitter under a
    // doubling ceiling, 100 ms then 200 ms.
    assert.ok(retries[0]!.delayMs! >= 0 && retries[0]!.delayMs! < 100, JSON.stringify(retries));
    assert.ok(retries[1]!.delayMs! >= 0 && retries[1]!.delayMs! < 200, JSON.stringify(retries));
    assert.ok(wallMs >= retries[0]!.delayMs! + retries[1]!.delayMs!, `${wallMs} ms`);
    assert.equal(
      lines.filter((l) => l.msg === 'git push failed: the commits stay local and go out on the next publish')
        .length,
      1,
    );
  });

  test('a remote that moved on is rebased onto: both sides survive, linear history, no force', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    assert.equal((await f.netlog(['publish'])).code, 0);
    const before = git(['--git-dir', f.remote, 'rev-parse', 'main']);
    // An analyst (another clone) pushes a README and a day file of their own.
    const other = join(f.dir, 'other-clone');
    git(['clone', '--quiet', f.remote, other]);
    await writeFile(join(other, 'README.md'), 'analysts notes\n');
    await writeDay(other, 'websites', '2026-11-20', 42);
    git(['add', 'README.md', 'websites'], other);
    git([...asAnalyst, 'commit', '--quiet', '-m', 'analyst: readme and a day'], other);
    git(['push', '--quiet', 'origin', 'main'], other);
    // Meanwhile netlog writes two days of its own.
    await writeDay(f.data, 'tls', '2026-11-25', 3);
    await writeDay(f.data, 'dns', '2026-11-25', 4);

    const result = await f.netlog(['publish']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /pushed \(after rebasing onto commits the remote had\)/);
    assert.deepEqual(f.remoteLog(), [
      'netlog-test <netlog@test>|netlog: 2026-11-25, 2 tables, 4 files',
      'analyst <analyst@example.org>|analyst: readme and a day',
      'netlog-test <netlog@test>|netlog: 2026-11-24, 1 table, 4 files',
    ]);
    assert.equal(f.remoteFile('README.md'), 'analysts notes');
    assert.equal(f.remoteFile('websites/2026/2026-11-20.csv'), csv('2026-11-20', 42));
    assert.equal(f.remoteFile('tls/2026/2026-11-25.csv'), csv('2026-11-25', 3));
    assert.equal(f.remoteFile('dns/2026/2026-11-24.csv'), csv('2026-11-24', 1));
    assert.equal(git(['--git-dir', f.remote, 'rev-list', '--merges', '--count', 'main']), '0');
    // Never a force-push: the remote's old tip is an ancestor of the new one.
    git(['--git-dir', f.remote, 'merge-base', '--is-ancestor', before, 'main']);
    // The analysts' files are in the data directory now too.
    assert.equal(await readFile(join(f.data, 'README.md'), 'utf8'), 'analysts notes\n');
    const logs = await f.logLines();
    assert.ok(logs.some((l) => l.msg === 'git push rejected: the remote moved on; rebasing onto it'));
    assert.ok(logs.some((l) => l.msg === 'git rebase onto the remote done'));
  });

  test('both sides changed the same day file: the rebase is aborted, nothing lost, one clear error', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    assert.equal((await f.netlog(['publish'])).code, 0);
    const other = join(f.dir, 'other-clone');
    git(['clone', '--quiet', f.remote, other]);
    await writeDay(other, 'dns', '2026-11-24', 100);
    git([...asAnalyst, 'commit', '--quiet', '-am', 'analyst: fix dns'], other);
    git(['push', '--quiet', 'origin', 'main'], other);
    await writeDay(f.data, 'dns', '2026-11-24', 2);

    const result = await f.netlog(['publish']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /the remote moved on and rebasing onto it failed \(both sides changed dns\/2026\/2026-11-24\.csv\): the rebase was aborted and the local commits are kept; resolve by hand \(git -C .* pull --rebase\), then run netlog publish/,
    );
    // Both versions still exist: ours as the local commit, theirs on the remote; no rebase left open.
    assert.equal(git(['show', 'main:dns/2026/2026-11-24.csv'], f.data), csv('2026-11-24', 2));
    assert.equal(f.remoteFile('dns/2026/2026-11-24.csv'), csv('2026-11-24', 100));
    assert.equal(existsSync(join(f.data, '.git', 'rebase-merge')), false);
    assert.equal(git(['status', '--porcelain', '--untracked-files=no'], f.data), '');
  });

  test('a stale .git/index.lock is removed with a warning; a fresh one, or a running git, is reported', async () => {
    const f = await setup();
    const lock = join(f.data, '.git', 'index.lock');
    await writeFile(lock, '');
    const fresh = await f.netlog(['publish']);
    assert.equal(fresh.code, 1);
    assert.match(
      fresh.stderr,
      /index\.lock is \d+ s old: a git command is running in .*; try again when it is done/,
    );

    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(lock, old, old);
    // An old lock while a git process works in the data directory: still not ours to remove.
    const running = track(
      spawn('git', ['hash-object', '--stdin'], {
        cwd: f.data,
        stdio: ['pipe', 'ignore', 'ignore'],
      }),
    );
    try {
      const busy = await f.netlog(['publish']);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, new RegExp(`index\\.lock is held by a running git \\(pid ${running.pid}\\)`));
    } finally {
      const closed = new Promise((resolve) => running.on('close', resolve));
      killChild(running);
      await closed;
    }

    await writeDay(f.data, 'dhcp', '2026-11-25', 1);
    const result = await f.netlog(['publish']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /netlog: warn: removed a stale \.git\/index\.lock left by a crashed git/);
    assert.equal(existsSync(lock), false);
    assert.equal(f.remoteLog()[0], 'netlog-test <netlog@test>|netlog: 2026-11-25, 1 table, 4 files');
  });

  test('a rebase left unfinished by a killed run is aborted first; its commits survive', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    await writeDay(f.data, 'dns', '2026-11-25', 1);
    assert.equal((await f.netlog(['publish'])).code, 0);
    await writeDay(f.data, 'tls', '2026-11-25', 1);
    git(['add', 'tls'], f.data);
    git(['-c', 'user.name=n', '-c', 'user.email=n@n', 'commit', '--quiet', '-m', 'local: tls'], f.data);
    // A real rebase stopped halfway (an interactive one with a "break"), as a kill would leave it.
    execFileSync('git', ['rebase', '-i', 'HEAD~1'], {
      cwd: f.data,
      env: { ...process.env, ...gitEnv(), GIT_SEQUENCE_EDITOR: 'sed -i 1ibreak' },
      stdio: 'ignore',
    });
    assert.equal(existsSync(join(f.data, '.git', 'rebase-merge')), true);
    const result = await f.netlog(['publish']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /aborted a rebase left unfinished by an earlier run/);
    assert.equal(f.remoteLog()[0], 'n <n@n>|local: tls');
  });

  test('init-data adopts a clone, refuses a clone of another remote, and puts a folder of CSVs on top of the remote', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    await writeDay(f.data, 'dns', '2026-11-25', 1);
    assert.equal((await f.netlog(['publish'])).code, 0);

    const adopted = await f.netlog(['init-data', '--remote', f.remote]);
    assert.equal(adopted.code, 0, adopted.stderr);
    assert.match(adopted.stdout, /: adopted \(remote/);
    const elsewhere = join(f.dir, 'elsewhere.git');
    git(['init', '--quiet', '--bare', elsewhere]);
    const refused = await f.netlog(['init-data', '--remote', elsewhere]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /is already a clone of .*analysts\.git, not .*elsewhere\.git: switch with git -C/,
    );

    // A folder of CSVs (no .git) from an older install: its files win, the remote's others stay.
    const folder = join(f.dir, 'old-data');
    await writeDay(folder, 'dns', '2026-11-25', 9);
    await writeDay(folder, 'tls', '2026-11-25', 9);
    const init = await runCli(['init-data', '--remote', f.remote, '--data', folder, '--config', f.config], {
      env: { NETLOG_LOG_FILE: f.logFile, ...gitEnv() },
    });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /: initialised \(remote/);
    assert.equal(
      await readFile(join(folder, 'dns', '2026', '2026-11-24.csv'), 'utf8'),
      `${csv('2026-11-24', 1)}\n`,
    );
    const published = await runCli(['publish', '--data', folder, '--config', f.config], {
      env: { NETLOG_LOG_FILE: f.logFile, ...gitEnv() },
    });
    assert.equal(published.code, 0, published.stderr);
    assert.equal(f.remoteLog()[0], 'netlog-test <netlog@test>|netlog: 2026-11-25, 2 tables, 4 files');
    assert.equal(
      git(['--git-dir', f.remote, 'ls-tree', '-r', '--name-only', 'main']),
      '.gitignore\nREADME.md\ndatapackage.json\ndns/2026/2026-11-24.csv\ndns/2026/2026-11-25.csv\ntls/2026/2026-11-25.csv',
    );
    assert.equal(f.remoteFile('dns/2026/2026-11-25.csv'), csv('2026-11-25', 9));
  });

  test('the configured branch is used end to end', async () => {
    const f = await setup({}, 'data');
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    const result = await f.netlog(['publish']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(git(['--git-dir', f.remote, 'for-each-ref', '--format=%(refname)']), 'refs/heads/data');
    git(['checkout', '--quiet', '-b', 'other'], f.data);
    const wrong = await f.netlog(['publish']);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /is on branch other, but netlog publishes data \(git\.branch\): switch back with git -C .* checkout data/,
    );
  });

  test("publish commits only netlog's files: an operator's raw export is named in a warning, not pushed", async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 5);
    await mkdir(join(f.data, 'debug'));
    // An operator's export with a raw address: the test's input, removed afterwards so that the
    // post-suite leak scan (which judges what netlog wrote) does not count it.
    const rawExport = join(f.data, 'debug', 'raw-export.csv');
    await writeFile(rawExport, 'source.ip\n10.1.2.3\n');
    await writeDay(f.data, 'not_a_table', '2026-11-24', 1); // the layout, but no configured table
    await writeFile(join(f.data, 'dns', '2026', '2026-11-24.csv.bak'), 'old');
    const result = await f.netlog(['publish']).finally(() => rm(rawExport, { force: true }));
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^netlog: warn: not published \(not netlog's files\): debug\/raw-export\.csv, dns\/2026\/2026-11-24\.csv\.bak, not_a_table\/2026\/2026-11-24\.csv {2}files=3/m,
    );
    assert.equal(
      git(['--git-dir', f.remote, 'ls-tree', '-r', '--name-only', 'main']),
      // netlog's own: the day file and the repository's metadata (publish writes datapackage.json and README.md).
      '.gitignore\nREADME.md\ndatapackage.json\ndns/2026/2026-11-24.csv',
    );
    assert.equal(f.remoteLog()[0], 'netlog-test <netlog@test>|netlog: 2026-11-24, 1 table, 4 files');
  });

  test('a hostile remote (a linked year folder, a linked .gitignore) is not rebased onto: one line, nothing lost, nothing written outside', async () => {
    const f = await setup();
    await writeDay(f.data, 'total', '2026-11-24', 1);
    assert.equal((await f.netlog(['publish'])).code, 0);
    const elsewhere = join(f.dir, 'elsewhere');
    await mkdir(elsewhere);
    const victim = join(f.dir, 'victim.txt');
    await writeFile(victim, "not netlog's\n");
    // Someone with push access commits a link for next year's folder and turns .gitignore into a link.
    const other = join(f.dir, 'attacker-clone');
    git(['clone', '--quiet', f.remote, other]);
    await symlink(elsewhere, join(other, 'total', '2025'));
    await rm(join(other, '.gitignore'));
    await symlink(victim, join(other, '.gitignore'));
    git(['add', '-A'], other);
    git([...asAnalyst, 'commit', '--quiet', '-m', 'innocent'], other);
    git(['push', '--quiet', 'origin', 'main'], other);
    const hostileTip = git(['--git-dir', f.remote, 'rev-parse', 'main']);

    await writeDay(f.data, 'total', '2026-11-25', 2);
    const result = await f.netlog(['publish']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(result.stderr.split('\n').filter((l) => l.startsWith('netlog: error:')).length, 1);
    assert.match(
      result.stderr,
      /netlog: error: the remote's new commits add \.gitignore \(a symbolic link\), total\/2025 \(a symbolic link\): publish does not rebase onto them; 1 local commit\(s\) kept in .*, nothing lost; remove those files on the remote, then run netlog publish\n$/,
    );
    // Nothing lost: our commit is local, the remote is as the attacker left it, no rebase is open.
    assert.equal(git(['log', '-1', '--format=%s', 'main'], f.data), 'netlog: 2026-11-25, 1 table, 3 files');
    assert.equal(git(['--git-dir', f.remote, 'rev-parse', 'main']), hostileTip);
    assert.equal(existsSync(join(f.data, '.git', 'rebase-merge')), false);
    // Nothing of it reached the data directory, and nothing was written through it.
    assert.equal(existsSync(join(f.data, 'total', '2025')), false);
    assert.ok((await lstat(join(f.data, '.gitignore'))).isFile());
    assert.equal(await readFile(victim, 'utf8'), "not netlog's\n");
    assert.deepEqual(await readdir(elsewhere), []);

    // A remote that adds a file outside the layout is refused the same way; once it is cleaned up,
    // the kept commit goes out.
    git([...asAnalyst, 'revert', '--no-edit', 'HEAD'], other);
    await mkdir(join(other, 'debug'));
    await writeFile(join(other, 'debug', 'run.sh'), 'echo hi\n');
    git(['add', '-A'], other);
    git([...asAnalyst, 'commit', '--quiet', '-m', 'a script'], other);
    git(['push', '--quiet', 'origin', 'main'], other);
    const outside = await f.netlog(['publish']);
    assert.equal(outside.code, 1);
    assert.match(
      outside.stderr,
      /the remote's new commits add (.*, )?debug\/run\.sh \(outside netlog's layout\)/,
    );
    git(['rm', '--quiet', 'debug/run.sh'], other);
    git([...asAnalyst, 'commit', '--quiet', '-m', 'remove the script'], other);
    git(['push', '--quiet', 'origin', 'main'], other);
    // Still refused: the history it would be rebased onto adds them, even if a later commit removes them.
    assert.equal((await f.netlog(['publish'])).code, 1);
  });

  test('a local symbolic link in a table folder is never committed: publish names it and commits nothing', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    await mkdir(join(f.data, 'total', '2026'), { recursive: true });
    await symlink('/etc/passwd', join(f.data, 'total', '2026', '2026-11-24.csv'));
    // A .gitignore that is a link (as a clone of a hostile remote by an older netlog left it): publish
    // names it and appends nothing to the file it points at.
    const victim = join(f.dir, 'victim.txt');
    await writeFile(victim, "not netlog's\n");
    await rm(join(f.data, '.gitignore'));
    await symlink(victim, join(f.data, '.gitignore'));
    const linkedIgnore = await f.netlog(['publish']);
    assert.equal(linkedIgnore.code, 1);
    assert.match(
      linkedIgnore.stderr,
      /^netlog: error: .*\/\.gitignore is a symbolic link \(to .*victim\.txt\) inside the data directory/m,
    );
    assert.equal(await readFile(victim, 'utf8'), "not netlog's\n");
    await rm(join(f.data, '.gitignore'));

    const result = await f.netlog(['publish']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^netlog: error: publish refuses to commit symbolic links: .*total\/2026\/2026-11-24\.csv; remove them/m,
    );
    assert.equal(git(['rev-list', '--all', '--count'], f.data), '0');
  });

  test('git hooks in the data repository do not run for netlog, and git sees no secret of netlog', async () => {
    const f = await setup();
    const secrets = {
      NETLOG_HASH_KEY: 'hook-test-hash-key-0123456789',
      ES_API_KEY: 'hook-test-api-key-SECRET',
      ES_PASSWORD: 'hook-test-password-SECRET',
      ES_URL: 'https://es.example.org:9200/tok/SECRET-path?token=SECRET-query',
    };
    const dumps = join(f.dir, 'dumps');
    await mkdir(dumps);
    for (const hook of ['pre-commit', 'pre-push', 'post-commit', 'reference-transaction']) {
      const path = join(f.data, '.git', 'hooks', hook);
      await writeFile(path, `#!/bin/sh\nenv > "${dumps}/${hook}.env"\nexit 0\n`);
      await chmod(path, 0o755);
    }
    // The hooks work: a commit by hand runs them (so this test can fail).
    execFileSync('git', [...asAnalyst, 'commit', '--quiet', '--allow-empty', '-m', 'by hand'], {
      cwd: f.data,
      env: { ...process.env, ...gitEnv(), ...secrets },
    });
    assert.match(await readFile(join(dumps, 'pre-commit.env'), 'utf8'), /hook-test-hash-key/);
    await rm(dumps, { recursive: true });
    await mkdir(dumps);

    // Pushing over ssh: the ssh program (GIT_SSH_COMMAND, as a deploy-key setup has it) records the
    // environment git gives it and fails, as an unreachable host would.
    const sshDump = join(dumps, 'ssh.env');
    const fakeSsh = join(f.dir, 'fake-ssh.sh');
    await writeFile(fakeSsh, `#!/bin/sh\nenv > "${sshDump}"\nexit 255\n`);
    await chmod(fakeSsh, 0o755);
    git(['remote', 'set-url', 'origin', 'ssh://git@git.example.invalid/netops/data.git'], f.data);
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    const result = await runCli(['publish', '--data', f.data, '--config', f.config], {
      env: { NETLOG_LOG_FILE: f.logFile, ...gitEnv(), ...secrets, GIT_SSH_COMMAND: fakeSsh },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(git(['log', '-1', '--format=%s'], f.data), /^netlog: 2026-11-24/);
    assert.deepEqual(await readdir(dumps), ['ssh.env'], 'no hook ran');
    const seen = await readFile(sshDump, 'utf8');
    assert.match(seen, /^PATH=/m);
    assert.match(seen, /^HOME=/m);
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!seen.includes(value), `${name}'s value reached git's child`);
      assert.ok(!new RegExp(`^${name}=`, 'm').test(seen), `${name} reached git's child`);
    }
    assert.ok(!/SECRET|NETLOG_|^ES_/m.test(seen), seen);
    for (const text of [result.stdout, result.stderr, await readFile(f.logFile, 'utf8')])
      assert.ok(!/SECRET|hook-test-hash-key/.test(text), text);
  });

  test("a git question that fails is an error with git's reason, never read as its answer", async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    // A git that fails (loudly, exit 128) when publish asks whether HEAD has a commit, as a broken
    // repository or a full disk would; every other command is the real git. The old reading took
    // the failure for "no commit yet": nothing to push, "the remote is up to date", exit 0.
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const shim = join(f.dir, 'bin');
    await mkdir(shim);
    await writeFile(
      join(shim, 'git'),
      `#!/bin/sh\ncase " $* " in *" rev-parse --verify -q HEAD "*) echo "fatal: cannot read HEAD (injected)" >&2; exit 128;; esac\nexec ${realGit} "$@"\n`,
    );
    await chmod(join(shim, 'git'), 0o755);
    const failed = await runCli(['publish', '--data', f.data, '--config', f.config], {
      env: { NETLOG_LOG_FILE: f.logFile, ...gitEnv(), PATH: `${shim}:${process.env.PATH ?? ''}` },
    });
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(
      failed.stderr,
      /^netlog: error: git rev-parse HEAD in .*data failed: cannot read HEAD \(injected\)/m,
    );
    assert.doesNotMatch(failed.stdout, /pushed/);
    assert.equal(git(['--git-dir', f.remote, 'rev-list', '--all', '--count']), '0');
    // The commit was made and stays; the real git delivers it.
    const delivered = await f.netlog(['publish']);
    assert.equal(delivered.code, 0, delivered.stderr);
    assert.equal(f.remoteLog()[0], 'netlog-test <netlog@test>|netlog: 2026-11-24, 1 table, 4 files');
  });

  test('a broken ref store is named as such, not taken for a detached HEAD', async () => {
    const f = await setup();
    await writeDay(f.data, 'dns', '2026-11-24', 1);
    assert.equal((await f.netlog(['publish'])).code, 0);
    git(['pack-refs', '--all'], f.data);
    await writeFile(join(f.data, '.git', 'packed-refs'), 'garbage line\n', { flag: 'a' });
    const result = await f.netlog(['publish']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^netlog: error: git symbolic-ref HEAD in .*data failed: unexpected line in \.git\/packed-refs: garbage line$/m,
    );
    assert.doesNotMatch(result.stderr, /detached/);
  });

  test('init-data refuses a --remote that git would read as an option', async () => {
    const result = await runCli(
      ['init-data', '--remote=--upload-pack=touch /tmp/x', '--data', join(tmp.path, 'opt')],
      {
        env: { NETLOG_LOG_FILE: join(tmp.path, 'opt.log'), ...gitEnv() },
      },
    );
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'netlog: error: --remote "--upload-pack=touch /tmp/x" is not a repository URL or path\n',
    );
    assert.equal(existsSync(join(tmp.path, 'opt', '.git')), false);
  });

  test('publish on a folder that is not a working copy says how to set it up', async () => {
    const plain = join(tmp.path, 'plain');
    const result = await runCli(['publish', '--data', plain], {
      env: { NETLOG_LOG_FILE: join(tmp.path, 'plain.log'), ...gitEnv() },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not a git working copy: run netlog init-data --remote URL --data/);
  });
});
