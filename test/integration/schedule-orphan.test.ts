import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../helpers/es.js';
import { tempDir } from '../helpers/tmp.js';
import { logLinesWithMsg, waitFor } from '../helpers/wait.js';

// `npx netlog schedule` runs netlog under npx and a shell; a container's SIGTERM may end those without
// reaching node. Here a shell that does not exec (it has a command after netlog) stands for them: it
// is sent SIGTERM and dies, and netlog, re-parented, must stop by itself as on SIGTERM.

let tmp: { path: string; cleanup: () => Promise<void> };
before(async () => {
  tmp = await tempDir('orphan');
});
after(() => tmp.cleanup());

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('netlog schedule stops when the process that started it is gone', async () => {
  const config = join(tmp.path, 'netlog.json');
  const logFile = join(tmp.path, 'elastic.log');
  // Jobs that will not fire during the test: only the stop matters.
  await writeFile(config, JSON.stringify({ schedule: { load: '0 6 1 1 *', publish: '10 6 1 1 *' } }));
  const shell = spawn(
    '/bin/sh',
    [
      '-c',
      `"${process.execPath}" "${ROOT}bin/netlog.js" schedule --data "${join(tmp.path, 'data')}" --config "${config}"; echo after`,
    ],
    { env: { ...process.env, NETLOG_LOG_FILE: logFile }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  shell.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  let nodePid: number | undefined;
  try {
    assert.ok(
      await waitFor(() => stdout.includes('netlog schedule: load-daily at'), {
        timeoutMs: 60_000,
        everyMs: 100,
      }),
      stdout,
    );
    const children = (await readFile(`/proc/${shell.pid}/task/${shell.pid}/children`, 'utf8'))
      .trim()
      .split(/\s+/);
    assert.equal(children.length, 1, `the shell runs node: ${children.join(' ')}`);
    nodePid = Number(children[0]);
    const shellGone = new Promise((resolve) => shell.on('close', resolve));
    shell.kill('SIGTERM');
    await shellGone;
    assert.ok(alive(nodePid), 'the shell did not pass SIGTERM on: netlog is still running, orphaned');
    const stopped = await waitFor(() => !alive(nodePid!), { timeoutMs: 30_000, everyMs: 100 });
    assert.ok(stopped, 'netlog schedule kept running after its parent died');
    assert.equal(
      (
        await logLinesWithMsg(
          logFile,
          'the process that started netlog schedule is gone (npx or its shell stopped): stopping as on SIGTERM',
        )
      ).length,
      1,
    );
    assert.equal((await logLinesWithMsg(logFile, 'schedule stopped')).length, 1);
  } finally {
    shell.kill('SIGKILL');
    if (nodePid !== undefined && alive(nodePid)) process.kill(nodePid, 'SIGKILL');
  }
});
