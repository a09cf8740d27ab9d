import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/es.js';
import { listFiles, useSampleSuite, writeTestConfig } from '../helpers/sample.js';

// Hostile data folders, configs and environments (issue 12) through the built binary, against the
// real node: a linked year folder, a config with a syntax error next to a secret, a token in ES_URL,
// credentials over plain http, umask 000, `--data ''` and log files that cannot be one.

const PREFIX = 'it-hostile-';
const DAY = '2026-11-24';
const KEY = 'hostile-test-key-0123456789';
const SECRET = 'SECRET-in-the-config-0123456789';
const TOKEN = 'tok3n-SECRET-abcdef';

const suite = useSampleSuite({
  label: 'hostile',
  prefix: PREFIX,
  sample: { days: 1, end: DAY, docsPerDay: 2000, seed: 5 },
});

const netlog = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) =>
  runCli(args, {
    env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: suite.logFile, NETLOG_NOW: '2026-11-25T06:00:00Z', ...env },
    ...(cwd !== undefined && { cwd }),
  });

/** The built binary under `sh -c 'umask 000; exec …'`: what a misconfigured cron gives netlog. */
function netlogUmask000(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sh',
      ['-c', 'umask 000; exec "$0" "$@"', process.execPath, `${ROOT}bin/netlog.js`, ...args],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('hostile data folders, configs and environments', () => {
  // Requests that fail are not retried here: the tests are about what is said, not about retries.
  let noRetries: string;
  before(async () => {
    await suite.ready;
    noRetries = await writeTestConfig(suite.dir, PREFIX, { es: { max_retries: 0 } });
  });

  test('a linked year folder: load-daily names it, exits 1 and writes nothing through it; verify reports it', async () => {
    const data = join(suite.dir, 'linked');
    const elsewhere = join(suite.dir, 'elsewhere');
    await mkdir(join(data, 'total'), { recursive: true });
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, `${DAY}.csv`), 'not netlog\n');
    await symlink(elsewhere, join(data, 'total', '2026'));
    const load = await netlog([
      'load-daily',
      '--date',
      DAY,
      '--tables',
      'total,dns',
      '--config',
      suite.config,
      '--data',
      data,
      '--es',
      suite.es.url,
    ]);
    assert.equal(load.code, 1, load.stdout + load.stderr);
    assert.match(
      load.stdout,
      new RegExp(
        `^FAILED total ${DAY}: .*total/2026 is a symbolic link \\(to .*elsewhere\\) inside the data directory`,
        'm',
      ),
    );
    assert.equal(await readFile(join(elsewhere, `${DAY}.csv`), 'utf8'), 'not netlog\n');
    assert.deepEqual(await readdir(elsewhere), [`${DAY}.csv`]);
    assert.deepEqual(await listFiles(data), [`dns/2026/${DAY}.csv`]);

    const verify = await netlog([
      'verify',
      '--from',
      DAY,
      '--to',
      DAY,
      '--tables',
      'total,dns',
      '--config',
      suite.config,
      '--data',
      data,
    ]);
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    assert.match(verify.stdout, new RegExp(`^unsafe +total ${DAY} .*total/2026 is a symbolic link`, 'm'));
    assert.match(verify.stderr, /symbolic links in the data directory/);
    assert.doesNotMatch(verify.stdout, /\bdns\b/);
  });

  test('under umask 000: folders 0755, day files 0644, the log 0640', async () => {
    const data = join(suite.dir, 'umask');
    const logFile = join(suite.dir, 'umask-logs', 'elastic.log');
    const result = await netlogUmask000(
      [
        'load-daily',
        '--date',
        DAY,
        '--tables',
        'total,websites',
        '--config',
        suite.config,
        '--data',
        data,
        '--es',
        suite.es.url,
      ],
      { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: logFile, NETLOG_NOW: '2026-11-25T06:00:00Z' },
    );
    assert.equal(result.code, 0, result.stderr);
    const mode = async (p: string) => (await stat(p)).mode & 0o777;
    for (const dir of [
      data,
      join(data, 'total'),
      join(data, 'total', '2026'),
      join(data, 'websites', '2026'),
    ])
      assert.equal(await mode(dir), 0o755, dir);
    for (const file of [`total/2026/${DAY}.csv`, `websites/2026/${DAY}.csv`])
      assert.equal(await mode(join(data, file)), 0o644, file);
    assert.equal(await mode(logFile), 0o640);
    assert.equal(await mode(join(suite.dir, 'umask-logs')), 0o755);
  });

  test('a hashing key file every user can read is warned about, with the fix', async () => {
    const keyFile = join(suite.dir, 'hash.key');
    await writeFile(keyFile, `${KEY}\n`, { mode: 0o644 });
    await chmod(keyFile, 0o644);
    const args = ['load-daily', '--dry-run', '--date', DAY, '--tables', 'total', '--config', suite.config];
    const env = { NETLOG_HASH_KEY: undefined, NETLOG_HASH_KEY_FILE: keyFile };
    const open = await netlog([...args, '--es', suite.es.url], env);
    assert.equal(open.code, 0, open.stderr);
    assert.match(
      open.stderr,
      /netlog: warn: NETLOG_HASH_KEY_FILE .*hash\.key can be read by other users .*chmod 600 it/,
    );
    await chmod(keyFile, 0o600);
    const closed = await netlog([...args, '--es', suite.es.url], env);
    assert.equal(closed.code, 0, closed.stderr);
    assert.doesNotMatch(closed.stderr, /can be read by other users/);
  });

  for (const [ext, text] of [
    ['json', `{\n  "timezone": "UTC",\n  "es": { "api_key": ${SECRET}, "page_size": 10 }\n}\n`],
    ['yaml', `timezone: UTC\nes:\n  api_key: "${SECRET}\n  page_size: 10\n`],
  ] as const) {
    test(`a ${ext.toUpperCase()} config with a syntax error next to a secret: file, line and column only`, async () => {
      const config = join(suite.dir, `broken.${ext}`);
      await writeFile(config, text);
      const logFile = join(suite.dir, `broken-${ext}.log`);
      const result = await netlog(
        ['load-daily', '--date', DAY, '--config', config, '--data', join(suite.dir, 'unused')],
        {
          NETLOG_LOG_FILE: logFile,
        },
      );
      assert.equal(result.code, 2);
      assert.match(
        result.stderr,
        new RegExp(
          `^netlog: error: config file .*broken\\.${ext} is not valid ${ext.toUpperCase()} at line \\d+, column \\d+: fix the syntax there \\(the text is not shown: it may hold a secret\\)\\n$`,
        ),
      );
      const log = await readFile(logFile, 'utf8');
      for (const out of [result.stdout, result.stderr, log]) assert.ok(!out.includes('SECRET'), out);
    });
  }

  test('a token in ES_URL (path and query) is masked in every message and log line', async () => {
    const logFile = join(suite.dir, 'token.log');
    const port = new URL(suite.es.url).port;
    // Against the real node (the path makes every request fail) and against a port nothing listens on.
    for (const url of [
      `http://127.0.0.1:${port}/${TOKEN}/?token=${TOKEN}q`,
      `http://127.0.0.1:9/${TOKEN}?token=${TOKEN}q`,
    ]) {
      const result = await netlog(['doctor', '--config', noRetries], {
        ES_URL: url,
        NETLOG_LOG_FILE: logFile,
      });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /http:\/\/(\[ip\]|127\.0\.0\.1):\d+\/\[path\]\?\[query\]/);
      for (const out of [result.stdout, result.stderr]) assert.ok(!out.includes('tok3n'), out);
    }
    const log = await readFile(logFile, 'utf8');
    assert.ok(log.length > 0);
    assert.ok(!log.includes('tok3n'), log);
  });

  test('an API key or password over plain http to another host: refused (exit 2), or warned with --insecure', async () => {
    for (const env of [
      { ES_API_KEY: 'plain-http-api-key' },
      { ES_USERNAME: 'netlog', ES_PASSWORD: 'plain-http-password' },
    ]) {
      const refused = await netlog(['doctor', '--config', suite.config], {
        ES_URL: 'http://es.example.invalid:9200',
        ...env,
      });
      assert.equal(refused.code, 2);
      assert.match(
        refused.stderr,
        /^netlog: error: refusing to send ES_(API_KEY|PASSWORD) over plain http:\/\/ to es\.example\.invalid:9200: .*use https:\/\/ in ES_URL \(or --insecure to allow it, warned\)\n$/,
      );
    }
    const warned = await netlog(['doctor', '--insecure', '--config', noRetries], {
      ES_URL: 'http://es.example.invalid:9200',
      ES_API_KEY: 'plain-http-api-key',
    });
    assert.match(warned.stderr, /netlog: warn: the Elasticsearch credentials go over plain http:\/\//);
    assert.ok(!warned.stderr.includes('plain-http-api-key'));
    // Loopback stays allowed: the local node with a (here unneeded) API key answers.
    const local = await netlog(['doctor', '--config', suite.config, '--es', suite.es.url], {
      ES_API_KEY: 'local-key',
    });
    assert.doesNotMatch(local.stderr, /plain http/);
  });

  test("--data '' and a log file that is a directory or /dev/full: exit 2, one line, nothing written", async () => {
    const cwd = join(suite.dir, 'cwd');
    await mkdir(cwd);
    const empty = await netlog(['load-daily', '--date', DAY, '--data', '', '--es', suite.es.url], {}, cwd);
    assert.equal(empty.code, 2);
    assert.equal(empty.stderr.trim().split('\n').length, 1, empty.stderr);
    assert.match(empty.stderr, /--data is empty: give a path/);
    assert.deepEqual(await readdir(cwd), []);
    for (const [logFile, message] of [
      // The one line ends with its cause, as the system said it.
      [
        cwd,
        /^netlog: the log file .*cwd is a directory: give a file path with --log-file: EISDIR: illegal operation on a directory, open '.*cwd'\n$/,
      ],
      ['/dev/full', /^netlog: the log file \/dev\/full is not a regular file/],
    ] as const) {
      const result = await netlog(
        ['verify', '--days', '1', '--data', join(cwd, 'data'), '--log-file', logFile],
        {},
        cwd,
      );
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
    assert.deepEqual(await readdir(cwd), []);
  });
});
