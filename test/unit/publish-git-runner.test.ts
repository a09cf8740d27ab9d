import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { openGit } from '../../src/publish/git-runner.js';
import { currentBranchTask, verifyRefTask } from '../../src/publish/git-tasks.js';

// The runner with the real git: a `-q` question's "no" (git exits 1 without a word) is told apart
// from a git that failed, whatever simple-git's own rule (which counts a silent exit 1 as success).

let tmp: { path: string; cleanup: () => Promise<void> };
before(async () => {
  tmp = await tempDir('git-runner');
});
after(() => tmp.cleanup());

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  }).trim();

test("probe: git's silent exit 1 is no; a loud failure rejects; run rejects on both", async () => {
  const dir = join(tmp.path, 'repo');
  await mkdir(dir);
  git(dir, 'init', '--quiet', '--initial-branch=main');
  const runner = openGit({ dir, timeoutMs: 30_000 });

  // An empty repository: HEAD names main, which has no commit yet.
  assert.equal(await runner.probe(verifyRefTask('HEAD')), undefined);
  assert.equal((await runner.probe(currentBranchTask))?.trim(), 'main');
  await assert.rejects(runner.run(verifyRefTask('HEAD')), /git exited with code 1/);

  git(dir, 'commit', '--quiet', '--allow-empty', '-m', 'first');
  const head = git(dir, 'rev-parse', 'HEAD');
  assert.equal((await runner.probe(verifyRefTask('HEAD')))?.trim(), head);
  git(dir, 'checkout', '--quiet', '--detach');
  assert.equal(await runner.probe(currentBranchTask), undefined);

  // A broken ref store: git says why (exit 128), and that is not "no".
  git(dir, 'pack-refs', '--all');
  await writeFile(join(dir, '.git', 'packed-refs'), 'garbage line\n', { flag: 'a' });
  await assert.rejects(
    runner.probe(verifyRefTask('refs/heads/main')),
    /unexpected line in \.git\/packed-refs/,
  );
});
