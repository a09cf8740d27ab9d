import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateConfig } from '../../src/config/locate.js';

test('the config is --config, else NETLOG_CONFIG, else beside the data folder, else the system folder', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'netlog-locate-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const system = join(root, 'etc');
  const site = join(root, 'site');
  await mkdir(system);
  await mkdir(site);
  const data = join(site, 'data');
  const at = (env: NodeJS.ProcessEnv, flag?: string) =>
    locateConfig({ flag, env, dataDir: data, systemDir: system });

  assert.equal(at({}).path, undefined);
  assert.match(at({}).source, /^the built-in defaults/);
  await writeFile(join(system, 'netlog.yaml'), 'timezone: UTC\n');
  assert.deepEqual(at({}), { path: join(system, 'netlog.yaml'), source: 'the system default' });
  await writeFile(join(site, 'netlog.json'), '{}');
  assert.deepEqual(at({}), { path: join(site, 'netlog.json'), source: 'beside the data folder' });
  assert.deepEqual(at({ NETLOG_CONFIG: '/x.yaml' }), { path: '/x.yaml', source: 'NETLOG_CONFIG' });
  assert.equal(at({ NETLOG_CONFIG: '' }).path, undefined, 'set but empty: the built-in defaults');
  assert.deepEqual(at({ NETLOG_CONFIG: '/x.yaml' }, '/y.json'), { path: '/y.json', source: '--config' });
  // Two candidates in one place: refused, not one of them silently ignored.
  await writeFile(join(site, 'netlog.yaml'), 'timezone: UTC\n');
  assert.throws(
    () => at({}),
    /netlog\.yaml and .*netlog\.json both exist \(beside the data folder\): keep one/,
  );
});
