import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { formatCsv } from '../../src/store/csv.js';

// A new bare repository whose HEAD is `master` while netlog publishes `main`: init-data points the
// remote's HEAD at `main`, so that a plain `git clone` (no -b) checks out the published files.

let tmp: { path: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
before(async () => {
  tmp = await tempDir('head');
  await mkdir(join(tmp.path, 'home'));
  env = { HOME: join(tmp.path, 'home'), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
});
after(() => tmp.cleanup());

const git = (args: string[], cwd?: string) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

test('init-data makes a plain git clone of a master-HEAD bare remote check out the published branch', async () => {
  const remote = join(tmp.path, 'analysts.git');
  const data = join(tmp.path, 'data');
  git(['init', '--quiet', '--bare', '--initial-branch=master', remote]);
  const netlog = (args: string[]) =>
    runCli([...args, '--data', data], {
      env: { ...env, NETLOG_LOG_FILE: join(tmp.path, 'elastic.log'), NETLOG_CONFIG: '' },
    });
  const init = await netlog(['init-data', '--remote', remote]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(
    init.stdout,
    /the remote's HEAD now names main \(was master\): a plain git clone checks it out/,
  );
  assert.equal(git(['--git-dir', remote, 'symbolic-ref', 'HEAD']), 'refs/heads/main');

  await mkdir(join(data, 'total', '2026'), { recursive: true });
  await writeFile(
    join(data, 'total', '2026', '2026-11-24.csv'),
    formatCsv(['timestamp', 'count', 'bytes'], [['2026-11-24T00:00:00Z', 1, 2]]),
  );
  const published = await netlog(['publish']);
  assert.equal(published.code, 0, published.stderr);

  const clone = join(tmp.path, 'clone');
  git(['clone', '--quiet', remote, clone]);
  assert.equal(git(['rev-parse', '--abbrev-ref', 'HEAD'], clone), 'main');
  assert.deepEqual((await readdir(join(clone, 'total', '2026'))).sort(), ['2026-11-24.csv']);

  // Run again (adopting the clone): nothing to change, nothing said about HEAD.
  const again = await netlog(['init-data', '--remote', remote]);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout + again.stderr, /HEAD/);
});

test('a remote whose HEAD names another existing branch is left alone, with the command to run', async () => {
  const remote = join(tmp.path, 'other.git');
  git(['init', '--quiet', '--bare', '--initial-branch=master', remote]);
  const seed = join(tmp.path, 'seed');
  git(['init', '--quiet', '--initial-branch=master', seed]);
  await writeFile(join(seed, 'notes.txt'), 'theirs\n');
  git(['add', 'notes.txt'], seed);
  git(['-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '--quiet', '-m', 'theirs'], seed);
  git(['push', '--quiet', remote, 'master'], seed);
  const init = await runCli(['init-data', '--remote', remote, '--data', join(tmp.path, 'data2')], {
    env: { ...env, NETLOG_LOG_FILE: join(tmp.path, 'elastic.log'), NETLOG_CONFIG: '' },
  });
  assert.equal(init.code, 0, init.stderr);
  assert.equal(git(['--git-dir', remote, 'symbolic-ref', 'HEAD']), 'refs/heads/master');
  assert.ok(
    init.stderr.includes(
      `HEAD names refs/heads/master, so a plain git clone checks that out, not main: run git --git-dir ${remote} symbolic-ref HEAD refs/heads/main`,
    ),
    init.stderr,
  );
});
