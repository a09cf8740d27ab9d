import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { tempDir } from '../helpers/tmp.js';
import { UnsafePathError, checkNoLinks, readDataFile } from '../../src/store/safe-path.js';
import { openAtomicWriter, writeFileAtomic } from '../../src/store/atomic-write.js';
import { checkStoredDay, scanTableFolders } from '../../src/store/scan.js';
import { defaultConfig } from '../../src/config/validate.js';
import { refusedIncoming } from '../../src/publish/data-files.js';
import { parseLsTreeZ, parseRawDiffZ } from '../../src/publish/git-output.js';
import { gitConfigArgs, gitEnvironment } from '../../src/publish/git-env.js';
import { maskEsUrl, plainHttpCredentialHost, readConnection } from '../../src/config/env.js';
import { jsonErrorOffset, positionAt } from '../../src/config/syntax-error.js';
import { loadConfig } from '../../src/config/load.js';
import { scrubSecrets, secretsOf } from '../../src/log-file.js';

// Hostile repository contents, environments and configs (issue 12), against the real filesystem,
// the real git and Python's json module where an independent answer exists.

let tmp: { path: string; cleanup: () => Promise<void> };
before(async () => {
  tmp = await tempDir('hostile-unit');
});
after(async () => {
  await tmp.cleanup();
});

const total = defaultConfig().tables.find((t) => t.name === 'total')!;

test('a symbolic link on a day file path: no write or read goes through it, and it is named', async () => {
  const data = join(tmp.path, 'links', 'data');
  const elsewhere = join(tmp.path, 'links', 'elsewhere');
  await mkdir(join(data, 'total'), { recursive: true });
  await mkdir(elsewhere, { recursive: true });
  await writeFile(join(elsewhere, '2025-01-01.csv'), 'not netlog\n');
  await symlink(elsewhere, join(data, 'total', '2025'));
  const day = join(data, 'total', '2025', '2025-01-01.csv');

  await assert.rejects(checkNoLinks(data, day), (err: unknown) => {
    assert.ok(err instanceof UnsafePathError);
    assert.equal(err.path, join(data, 'total', '2025'));
    assert.match(err.message, /total\/2025 is a symbolic link \(to .*elsewhere\) inside the data directory/);
    return true;
  });
  await assert.rejects(openAtomicWriter(day, { root: data }), UnsafePathError);
  await assert.rejects(
    writeFileAtomic(join(data, 'total', '2025', 'x', 'y.csv'), 'x', { root: data }),
    UnsafePathError,
  );
  assert.deepEqual(await readdir(elsewhere), ['2025-01-01.csv'], 'nothing written beside the target');
  assert.equal(await readFile(join(elsewhere, '2025-01-01.csv'), 'utf8'), 'not netlog\n');
  await assert.rejects(readDataFile(data, day), UnsafePathError);

  // verify's reading: the day is "unsafe", naming the link, and never read through it.
  const status = await checkStoredDay(data, total, '2025-01-01', 'UTC');
  assert.equal(status.status, 'unsafe');
  assert.match(status.detail, /total\/2025 is a symbolic link/);

  // A link as the day file itself (to a file outside): the same.
  await mkdir(join(data, 'total', '2026'));
  await symlink(join(elsewhere, '2025-01-01.csv'), join(data, 'total', '2026', '2026-01-01.csv'));
  assert.equal((await checkStoredDay(data, total, '2026-01-01', 'UTC')).status, 'unsafe');
  await assert.rejects(
    writeFileAtomic(join(data, 'total', '2026', '2026-01-01.csv'), 'x', { root: data }),
    UnsafePathError,
  );
  assert.equal(await readFile(join(elsewhere, '2025-01-01.csv'), 'utf8'), 'not netlog\n');

  // The folder scan lists both links and does not descend into the linked folder.
  await writeFile(join(elsewhere, '.2025-01-02.csv.1.ab.tmp'), 'half');
  const scan = await scanTableFolders(data, [total]);
  assert.deepEqual(
    scan.links.map((l) => l.path),
    [join(data, 'total', '2025'), join(data, 'total', '2026', '2026-01-01.csv')],
  );
  assert.deepEqual(scan.leftovers, []);
});

test('with umask 000, netlog still writes folders 0755 and day files 0644', async (t) => {
  const old = process.umask(0);
  t.after(() => process.umask(old));
  const data = join(tmp.path, 'modes');
  await writeFileAtomic(join(data, 'dns', '2026', '2026-11-24.csv'), 'x\n', { root: data });
  assert.equal((await stat(join(data, 'dns'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(data, 'dns', '2026'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(data, 'dns', '2026', '2026-11-24.csv'))).mode & 0o777, 0o644);
  await writeFileAtomic(join(tmp.path, 'out', 'plot.svg'), '<svg/>');
  assert.equal((await stat(join(tmp.path, 'out'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(tmp.path, 'out', 'plot.svg'))).mode & 0o777, 0o644);
});

test("remote commits are read from real git's output: links, submodules and files outside the layout are refused", async () => {
  const repo = join(tmp.path, 'incoming');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      cwd: repo,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: tmp.path, GIT_CONFIG_NOSYSTEM: '1' },
    });
  await mkdir(repo);
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', 'base');
  await mkdir(join(repo, 'total', '2026'), { recursive: true });
  await writeFile(join(repo, 'total', '2026', '2026-11-24.csv'), 'x\n');
  await writeFile(join(repo, 'README.md'), 'notes\n');
  await symlink('/elsewhere', join(repo, 'total', '2025'));
  await symlink('/etc/passwd', join(repo, '.gitignore'));
  await mkdir(join(repo, 'debug'));
  await writeFile(join(repo, 'debug', 'raw-export.csv'), 'ip\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'hostile');
  // A submodule entry (a gitlink), added by index only.
  git('update-index', '--add', '--cacheinfo', `160000,${git('rev-parse', 'HEAD').trim()},vendor`);
  git('commit', '-q', '-m', 'submodule');
  git('rm', '-q', 'debug/raw-export.csv');
  git('commit', '-q', '-m', 'deleted again');

  const raw = git(
    'log',
    '--raw',
    '-z',
    '--no-renames',
    '--no-abbrev',
    '--diff-merges=first-parent',
    '--format=',
    'HEAD~3..HEAD',
  );
  assert.deepEqual(refusedIncoming(parseRawDiffZ(raw)), [
    '.gitignore (a symbolic link)',
    "debug/raw-export.csv (outside netlog's layout)",
    'total/2025 (a symbolic link)',
    'vendor (a submodule)',
  ]);
  // The day file and the README are in the layout: only those four.
  const tree = parseLsTreeZ(git('ls-tree', '-r', '-z', 'HEAD'));
  assert.deepEqual(tree.map((e) => `${e.mode} ${e.path}`).sort(), [
    '100644 README.md',
    '100644 total/2026/2026-11-24.csv',
    '120000 .gitignore',
    '120000 total/2025',
    '160000 vendor',
  ]);
  assert.deepEqual(
    refusedIncoming(parseRawDiffZ(git('log', '--raw', '-z', '--no-renames', '--format=', 'HEAD~1..HEAD'))),
    [],
  );
});

test('git gets no secret of netlog and none of the variables that point it at another repository', () => {
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/netlog',
    SSH_AUTH_SOCK: '/run/agent.sock',
    GIT_SSH_COMMAND: 'ssh -i /etc/netlog/deploy_key',
    NETLOG_HASH_KEY: 'hash-key-0123456789abcdef',
    NETLOG_HASH_KEY_FILE: '/etc/netlog/hash.key',
    ES_API_KEY: 'api-key-secret',
    ES_PASSWORD: 'es-password-secret',
    ES_URL: 'https://es:9200/?token=abc',
    AWS_SECRET_ACCESS_KEY: 'aws',
    GIT_DIR: '/elsewhere/.git',
    GIT_WORK_TREE: '/elsewhere',
    EDITOR: 'vi',
    LANG: 'de_DE.UTF-8',
  };
  const out = gitEnvironment(env);
  assert.deepEqual(Object.keys(out).sort(), [
    'GIT_EDITOR',
    'GIT_LITERAL_PATHSPECS',
    'GIT_PAGER',
    'GIT_SSH_COMMAND',
    'GIT_TERMINAL_PROMPT',
    'HOME',
    'LC_ALL',
    'PATH',
    'SSH_AUTH_SOCK',
  ]);
  assert.equal(out.GIT_SSH_COMMAND, 'ssh -i /etc/netlog/deploy_key');
  assert.equal(gitEnvironment({ PATH: '/bin' }).GIT_SSH_COMMAND, 'ssh -o BatchMode=yes');
  assert.ok(gitConfigArgs({ name: 'n', email: 'e' }).includes('core.hooksPath=/dev/null'));
});

test('ES_URL is shown with scheme, host and port only; credentials over plain http to another host are spotted', () => {
  for (const [url, shown] of [
    ['https://es.example.org:9200', 'https://es.example.org:9200'],
    ['https://es.example.org:9200/', 'https://es.example.org:9200'],
    ['https://es.example.org/t/s3cr3t-token/?token=abc&x=1', 'https://es.example.org/[path]?[query]'],
    ['http://user:pw@h:9200/x#frag', 'http://[credentials]@h:9200/[path]#[fragment]'],
    ['https://es:99999/tok?x=1', 'https://es:99999[…]'], // does not parse: cut at the host
    ['es.example.org/s3cr3t', 'es.example.org[…]'],
  ] as const)
    assert.equal(maskEsUrl(url), shown, url);
  const withKey = readConnection({ ES_API_KEY: 'k' });
  const withPassword = readConnection({ ES_USERNAME: 'u', ES_PASSWORD: 'p' });
  assert.equal(plainHttpCredentialHost(withKey, 'http://es.example.org:9200'), 'es.example.org:9200');
  assert.equal(plainHttpCredentialHost(withPassword, 'http://10.1.2.3:9200'), '10.1.2.3:9200');
  assert.equal(plainHttpCredentialHost(withKey, 'https://es.example.org:9200'), undefined);
  for (const local of [
    'http://localhost:9200',
    'http://127.0.0.1:9200',
    'http://127.8.9.10',
    'http://[::1]:9200',
  ])
    assert.equal(plainHttpCredentialHost(withKey, local), undefined, local);
  assert.equal(plainHttpCredentialHost(readConnection({}), 'http://es.example.org'), undefined);
});

test('a JSON syntax error is located where Python locates it, and validity agrees with JSON.parse', async () => {
  // Random documents with one character deleted, inserted or replaced: the scanner agrees with
  // JSON.parse on validity, and with Python's json module on the line and column of the error.
  const docs = fc.sample(
    fc.tuple(
      fc.json({ maxDepth: 3, noUnicodeString: true } as never),
      fc.nat(),
      fc.constantFrom('delete', 'insert', 'replace'),
      fc.constantFrom(',', ':', '"', '{', '}', '[', ']', 'x', '1', ' ', '\n', 't', '-', '.'),
    ),
    { numRuns: 400, seed: 12 },
  );
  const broken: string[] = [];
  for (const [doc, at, how, ch] of docs) {
    assert.equal(jsonErrorOffset(doc), undefined, doc);
    const i = doc.length === 0 ? 0 : at % doc.length;
    const text =
      how === 'delete'
        ? doc.slice(0, i) + doc.slice(i + 1)
        : how === 'insert'
          ? doc.slice(0, i) + ch + doc.slice(i)
          : doc.slice(0, i) + ch + doc.slice(i + 1);
    if (!/^[\x20-\x7e\n]*$/.test(text)) continue;
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    assert.equal(jsonErrorOffset(text) === undefined, valid, text);
    if (!valid) broken.push(text);
  }
  assert.ok(broken.length > 100, `${broken.length} broken documents`);
  const python = execFileSync(
    'python3',
    [
      '-c',
      'import json,sys\nfor t in json.load(sys.stdin):\n  try:\n    json.loads(t); print("valid")\n  except json.JSONDecodeError as e: print(e.lineno, e.colno)',
    ],
    { input: JSON.stringify(broken), encoding: 'utf8' },
  )
    .trim()
    .split('\n');
  let compared = 0;
  for (const [k, text] of broken.entries()) {
    if (python[k] === 'valid') continue; // Python takes NaN/Infinity; JSON does not
    const at = positionAt(text, jsonErrorOffset(text)!);
    assert.equal(`${at.line} ${at.column}`, python[k], JSON.stringify(text));
    compared++;
  }
  assert.ok(compared > 100, `${compared} compared`);
});

test('config syntax errors name the file, line and column, never the text around them', async () => {
  const secret = 'SECRET-api-key-0123456789';
  const json = join(tmp.path, 'bad.json');
  const line4 = `    "token": "${secret}",,`;
  await writeFile(json, `{\n  "git": {\n    "remote": "origin",\n${line4}\n  }\n}\n`);
  const column = line4.indexOf(',,') + 2; // the second comma, 1-based
  await assert.rejects(loadConfig(json), (err: Error) => {
    assert.equal(
      err.message,
      `config file ${json} is not valid JSON at line 4, column ${column}: fix the syntax there (the text is not shown: it may hold a secret)`,
    );
    assert.equal(err.cause, undefined);
    return true;
  });
  const yaml = join(tmp.path, 'bad.yaml');
  await writeFile(yaml, `git:\n  remote: origin\n  token: "${secret}\n  branch: main\n`);
  await assert.rejects(loadConfig(yaml), (err: Error) => {
    assert.match(
      err.message,
      new RegExp(`^config file ${yaml} is not valid YAML at line \\d+, column \\d+: fix the syntax there`),
    );
    assert.ok(!err.message.includes(secret) && !err.message.includes('\n'), err.message);
    return true;
  });
  const bomb = join(tmp.path, 'bomb.yaml');
  await writeFile(
    bomb,
    [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n'),
  );
  await assert.rejects(loadConfig(bomb), /is not valid YAML: fix the syntax there/);
});

test('secrets are scrubbed from a log line by value, in raw and JSON spelling', () => {
  const secrets = secretsOf(
    { ES_API_KEY: 'api-key-"quoted"-123', NETLOG_HASH_KEY: 'short' },
    'https://es.example.org/t/tok3n-secret?token=abcdef123',
  );
  assert.deepEqual(
    [...secrets].sort(),
    ['/t/tok3n-secret', 'abcdef123', 'api-key-"quoted"-123', 'token=abcdef123'],
  );
  const line = JSON.stringify({
    msg: 'GET https://es.example.org/t/tok3n-secret/_search?token=abcdef123',
    k: 'api-key-"quoted"-123',
  });
  const out = scrubSecrets(line, secrets);
  assert.ok(!/tok3n|abcdef123|quoted/.test(out), out);
  assert.deepEqual(JSON.parse(out), {
    msg: 'GET https://es.example.org[redacted]/_search?[redacted]',
    k: '[redacted]',
  });
});

test('the data folder written by openAtomicWriter is left clean after a refused write', async () => {
  const data = join(tmp.path, 'clean');
  await mkdir(join(data, 'dns'), { recursive: true });
  await symlink(tmp.path, join(data, 'dns', '2026'));
  await assert.rejects(writeFileAtomic(join(data, 'dns', '2026', '2026-11-24.csv'), 'x', { root: data }));
  assert.deepEqual(await readdir(join(data, 'dns')), ['2026']);
  assert.ok((await lstat(join(data, 'dns', '2026'))).isSymbolicLink());
  assert.equal(existsSync(join(tmp.path, '2026-11-24.csv')), false);
});
