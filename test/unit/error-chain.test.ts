import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ConfigError, StoreError, causeChain, describeError } from '../../src/errors.js';
import { scanTableFolders } from '../../src/store/scan.js';
import { assertFreshBuild } from '../helpers/build.js';
import { killChild, track } from '../helpers/children.js';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/es.js';
import { tempDir } from '../helpers/tmp.js';

// Errors keep their cause: the one line on the terminal says `problem: cause: cause…`, the log file
// holds the chain (type, message and code of each cause), both scrubbed of addresses and secrets.

const errno = (message: string, code: string) => Object.assign(new Error(message), { code });

test('describeError: the problem, then each cause the text before does not already say', () => {
  const enoent = errno("ENOENT: no such file or directory, open '/x/netlog.yaml'", 'ENOENT');
  const err = new ConfigError('cannot read config file /x/netlog.yaml: ENOENT; check the --config path', {
    cause: enoent,
  });
  assert.equal(
    describeError(err),
    "cannot read config file /x/netlog.yaml: ENOENT; check the --config path: ENOENT: no such file or directory, open '/x/netlog.yaml'",
  );
  // Three levels, the middle one quoted by the outer message: said once.
  const middle = new Error('disk full', { cause: errno('ENOSPC: no space left on device, write', 'ENOSPC') });
  assert.equal(
    describeError(new StoreError('cannot write x: disk full', { cause: middle })),
    'cannot write x: disk full: ENOSPC: no space left on device, write',
  );
  // A tool's message quoted without its "fatal:" label is said already.
  assert.equal(
    describeError(
      new Error('git symbolic-ref HEAD failed: unexpected line in .git/packed-refs: garbage line', {
        cause: new Error('fatal: unexpected line in .git/packed-refs: garbage line\n'),
      }),
    ),
    'git symbolic-ref HEAD failed: unexpected line in .git/packed-refs: garbage line',
  );
  assert.equal(
    describeError(new Error('push failed', { cause: new Error('fatal: no route') })),
    'push failed: fatal: no route',
  );
  // Not an error as the cause; a cause with only a code; none at all.
  assert.equal(describeError(new Error('a', { cause: 'b' })), 'a: b');
  assert.equal(describeError(new Error('a', { cause: { code: 'EIO' } })), 'a: EIO');
  assert.equal(describeError(new Error('alone')), 'alone');
  assert.equal(describeError('a string thrown'), 'a string thrown');
});

test('describeError: a cause becomes one line, a server-sized one is cut with a marker, a cycle ends', () => {
  const body = `search_phase_execution_exception\n\tRoot causes:\n\t\tquery_shard_exception: \u001b[31mred${'x'.repeat(1000)}`;
  const line = describeError(new Error('Elasticsearch rejected the query', { cause: new Error(body) }));
  for (const c of ['\n', '\t', '\u001b']) assert.ok(!line.includes(c), JSON.stringify(c));
  assert.ok(
    line.startsWith(
      'Elasticsearch rejected the query: search_phase_execution_exception Root causes: query_shard_exception: [31mred',
    ),
    line,
  );
  assert.match(line, /x… \(cut here: the log file holds it whole\)$/);
  // The cause is cut after 300 characters: the x's kept are what the prefix leaves of them.
  const prefix = 'search_phase_execution_exception Root causes: query_shard_exception: [31mred';
  assert.equal(/(x+)… \(cut here/.exec(line)![1]!.length, 300 - prefix.length);

  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.deepEqual(causeChain(b), ['b', 'a']);
  assert.equal(describeError(b), 'b: a');
});

/** Runs an ES module script in a tracked node process; killed whatever happens. */
async function runNode(
  script: string,
  options: { uid?: number; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = track(
    spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: options.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid !== undefined && { uid: options.uid, gid: options.uid }),
    }),
  );
  try {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return { code, stdout, stderr };
  } finally {
    killChild(child);
  }
}

test('the log line holds the cause chain, the terminal line ends with it; no address, no secret in either', async () => {
  assertFreshBuild();
  const dir = await tempDir('error-chain');
  try {
    const logFile = join(dir.path, 'netlog.log');
    const secret = 'chain-canary-secret-value';
    const log = pathToFileURL(join(ROOT, 'dist/log.js')).href;
    const errors = pathToFileURL(join(ROOT, 'dist/errors.js')).href;
    const result = await runNode(`
      const { createLogger } = await import(${JSON.stringify(log)});
      const { StoreError } = await import(${JSON.stringify(errors)});
      const log = createLogger({ file: ${JSON.stringify(logFile)}, secrets: [${JSON.stringify(secret)}] });
      const root = Object.assign(new Error("EACCES: permission denied, open '/srv/10.1.2.3/${secret}'"), { code: 'EACCES' });
      const middle = new Error('cannot open the day file', { cause: root });
      const err = new StoreError('cannot write the day file', { cause: middle });
      log.error({ err }, err.message);
      log.warn({ err: middle, table: 'dns' }, 'a day failed');
    `);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stderr,
      "netlog: error: cannot write the day file: cannot open the day file: EACCES: permission denied, open '/srv/[ip]/[redacted]'\n" +
        "netlog: warn: a day failed  err=cannot open the day file: EACCES: permission denied, open '/srv/[ip]/[redacted]' table=dns\n",
    );
    const lines = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; err: Record<string, unknown> });
    assert.equal(lines.length, 2);
    const [first] = lines;
    assert.equal(first!.msg, 'cannot write the day file');
    assert.equal(first!.err.type, 'StoreError');
    assert.equal(first!.err.message, 'cannot write the day file');
    assert.deepEqual(first!.err.cause, {
      type: 'Error',
      message: 'cannot open the day file',
      cause: {
        type: 'Error',
        message: "EACCES: permission denied, open '/srv/[ip]/[redacted]'",
        code: 'EACCES',
      },
    });
    assert.match(String(first!.err.stack), /caused by: Error: EACCES/);
    const text = await readFile(logFile, 'utf8');
    assert.ok(!text.includes('10.1.2.3') && !text.includes(secret), text);
  } finally {
    await dir.cleanup();
  }
});

test('netlog prints one line `problem: cause` and logs the chain (the built binary)', async () => {
  const dir = await tempDir('error-chain-cli');
  try {
    const logFile = join(dir.path, 'elastic.log');
    const missing = join(dir.path, 'no-such', 'netlog.yaml');
    const result = await runCli(['load-daily', '--config', missing, '--data', join(dir.path, 'data')], {
      env: { NETLOG_LOG_FILE: logFile, ES_URL: 'http://127.0.0.1:9' },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      `netlog: error: cannot read config file ${missing}: ENOENT; check the --config path: ENOENT: no such file or directory, open '${missing}'\n`,
    );
    const line = JSON.parse((await readFile(logFile, 'utf8')).trim().split('\n').at(-1)!) as {
      err: { cause?: { code?: string } };
    };
    assert.equal(line.err.cause?.code, 'ENOENT');
  } finally {
    await dir.cleanup();
  }
});

test('a table folder that cannot be listed is an error with its cause, not "no days"', async () => {
  // /tmp itself, not the suite's kept folder: every folder above must be open to the unprivileged
  // user the check runs as (root lists any folder whatever its mode).
  const dir = await mkdtemp(join(tmpdir(), 'netlog-scan-'));
  try {
    await chmod(dir, 0o755);
    await mkdir(join(dir, 'data', 'dns'), { recursive: true });
    await chmod(join(dir, 'data', 'dns'), 0o000);
    if (process.getuid?.() === 0) {
      // The unprivileged user runs the scan bundled with its packages into this open folder: the
      // checkout itself may sit in a folder it cannot enter (mktemp -d makes one 0700).
      const bundle = join(dir, 'scan.mjs');
      await build({
        entryPoints: [join(ROOT, 'src/store/scan.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: bundle,
        logLevel: 'silent',
      });
      await chmod(bundle, 0o644);
      const result = await runNode(
        `const { scanTableFolders } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
         try { await scanTableFolders(${JSON.stringify(join(dir, 'data'))}, [{ name: 'dns' }]); console.log('no error'); }
         catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, code: e.cause?.code })); }`,
        { uid: 65534, cwd: dir },
      );
      assert.equal(result.code, 0, result.stderr);
      const outcome = JSON.parse(result.stdout) as { name: string; message: string; code: string };
      assert.equal(outcome.name, 'StoreError');
      assert.equal(outcome.code, 'EACCES');
      assert.match(
        outcome.message,
        /^cannot read .*\/data\/dns \(EACCES\): check the data directory's permissions$/,
      );
    } else {
      await assert.rejects(
        scanTableFolders(join(dir, 'data'), [{ name: 'dns' } as never]),
        (err: unknown) => err instanceof StoreError && (err.cause as NodeJS.ErrnoException).code === 'EACCES',
      );
    }
    // A table without a folder has no days: not an error.
    assert.deepEqual(await scanTableFolders(join(dir, 'data'), [{ name: 'tls' } as never]), {
      leftovers: [],
      links: [],
    });
  } finally {
    await chmod(join(dir, 'data', 'dns'), 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});
