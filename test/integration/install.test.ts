import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Installing like a CLI: the packed tarball carries the built CLI, `netlog --version` answers, and a
// checkout that was never built says what to run in one line.

test('npm pack ships bin/, dist/ and the cron files', () => {
  // --ignore-scripts: the contents only (the prepare script, which builds dist/, ran as npm run build).
  const [pack] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }),
  ) as [{ files: { path: string }[] }];
  const files = pack.files.map((f) => f.path);
  for (const f of [
    'bin/netlog.js',
    'dist/bundle/main.js',
    'dist/cli/main.js',
    'dist/cli/program.js',
    'elastic.cron',
    'scripts/install-cron.sh',
    'package.json',
  ])
    assert.ok(files.includes(f), `${f} is not in the tarball`);
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'sources and tests stay out');
});

test('netlog --version prints the package version', async () => {
  const result = await runCli(['--version']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    `${(JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: ROOT, encoding: 'utf8' })) as { version: string }).version}\n`,
  );
});

test('a checkout without dist/ gets one line naming the fix, not a stack', async (t) => {
  const tmp = await tempDir('unbuilt');
  t.after(() => tmp.cleanup());
  await mkdir(join(tmp.path, 'bin'));
  await copyFile(join(ROOT, 'bin', 'netlog.js'), join(tmp.path, 'bin', 'netlog.js'));
  let result: { status: number | null; stderr: string };
  try {
    execFileSync(process.execPath, [join(tmp.path, 'bin', 'netlog.js'), '--version'], { stdio: 'pipe' });
    result = { status: 0, stderr: '' };
  } catch (err) {
    const e = err as { status: number | null; stderr: Buffer };
    result = { status: e.status, stderr: e.stderr.toString() };
  }
  assert.equal(result.status, 1);
  assert.equal(result.stderr, `netlog: netlog is not built: run npm run build in ${tmp.path}/\n`);
});
