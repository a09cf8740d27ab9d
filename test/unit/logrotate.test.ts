import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// docs/logrotate.conf, run through the real logrotate with its paths pointed at a temporary install:
// a log past the size limit is rotated (kept, not lost), the current file starts empty, and one under
// it is left alone. Skipped with the reason where logrotate is not installed, except under CI.

const CONF = new URL('../../docs/logrotate.conf', import.meta.url);
const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => existsSync(p));

test('the documented logrotate snippet rotates a log past 50 MB and keeps its lines', async (t) => {
  if (!LOGROTATE) {
    if (process.env.CI)
      throw new Error('logrotate is missing: .ci/run installs it (Debian package logrotate)');
    return t.skip('logrotate is not installed (apt-get install logrotate)');
  }
  const home = await mkdtemp(join(tmpdir(), 'netlog-logrotate-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  await mkdir(join(home, 'logs'));
  const conf = join(home, 'netlog.logrotate');
  await writeFile(conf, (await readFile(CONF, 'utf8')).replaceAll('/opt/netlog', home));
  const big = '{"msg":"a log line"}\n'.repeat(2_700_000); // 56.7 MB
  await writeFile(join(home, 'logs', 'elastic.log'), big);
  await writeFile(join(home, 'logs', 'cron.log'), 'small\n');
  // logrotate refuses a config that others can write; the state file says when it last rotated.
  execFileSync('chmod', ['644', conf]);
  execFileSync(LOGROTATE, ['--state', join(home, 'state'), conf], { stdio: 'pipe' });

  assert.equal((await stat(join(home, 'logs', 'elastic.log'))).size, 0, 'the current log starts empty');
  assert.equal(await readFile(join(home, 'logs', 'elastic.log.1'), 'utf8'), big, 'every line kept');
  assert.equal(await readFile(join(home, 'logs', 'cron.log'), 'utf8'), 'small\n');
  assert.equal(existsSync(join(home, 'logs', 'cron.log.1')), false);
});
