import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readTables } from '../../src/analysis/read-series.js';
import { bucketSeries } from '../../src/analysis/series.js';
import { defaultConfig } from '../../src/config/validate.js';
import { tempDir } from '../helpers/tmp.js';

// scripts/sample-csv.ts is how an analyst gets data without Elasticsearch: what it writes must be day
// files that netlog itself accepts as complete.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let tmp: { path: string; cleanup: () => Promise<void> };

before(async () => (tmp = await tempDir('sample-csv')));
after(() => tmp.cleanup());

function script(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sample-csv.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('scripts/sample-csv.ts writes complete day files for every time series and websites', async () => {
  const out = join(tmp.path, 'data');
  const r = script(['--out', out, '--days', '3', '--end', '2026-11-24', '--skip-days', '2026-11-23']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    `16 day files for 2026-11-22 – 2026-11-24 in ${out}; anomalies on 2026-11-24; left out 2026-11-23\n`,
  );
  const config = defaultConfig();
  const names = ['total', 'dns', 'dhcp', 'http', 'tls', 'flow', 'firewall', 'websites'];
  assert.deepEqual((await readdir(out)).sort(), [...names].sort());
  const loaded = await readTables(
    out,
    config.tables.filter((t) => names.includes(t.name)),
    ['2026-11-22', '2026-11-23', '2026-11-24'],
    'UTC',
  );
  for (const l of loaded) {
    assert.deepEqual(
      l.days.map((d) => d.status),
      ['ok', 'missing', 'ok'],
      l.table.name,
    );
    assert.ok(bucketSeries(l, 'count', 'UTC').some((p) => (p.value ?? 0) > 0));
  }
  const bad = script(['--out', out, '--end', '2026-13-01']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^sample-csv: --end: "2026-13-01" is not a calendar date/);
});
