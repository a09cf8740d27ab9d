import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { PRESETS, PRESET_NAMES } from '../../src/config/presets.js';
import { presetConfigYaml } from '../../src/config/preset-yaml.js';
import { validateConfig } from '../../src/config/validate.js';
import { buildDayQuery, buildDayTotalsQuery } from '../../src/extract/query.js';
import { flattenAggregations } from '../../src/transform/flatten.js';
import { dayTotalsFromResponse } from '../../src/extract/day-totals.js';
import { dayRange } from '../../src/time/day.js';
import { assessPreset, fieldsByIndex, type FieldCaps } from '../../src/extract/doctor.js';

test('every preset is a valid config with the usual tables', () => {
  for (const name of PRESET_NAMES) {
    const { config, errors } = validateConfig({ preset: name });
    assert.deepEqual(errors, [], name);
    assert.deepEqual(
      config!.tables.map((t) => t.name).filter((n) => n !== 'firewall'),
      [
        'total',
        'dns',
        'dhcp',
        'http',
        'tls',
        'flow',
        'internal_to_internal',
        'internal_to_external',
        'websites',
      ],
      name,
    );
    assert.equal(config!.settle_hours, PRESETS[name].settle_hours);
  }
  // netlog-sample is exactly today's defaults.
  assert.deepEqual(
    validateConfig({ preset: 'netlog-sample' }).config!.tables,
    validateConfig({}).config!.tables,
  );
});

test('`config --preset` prints a commented YAML file that loads to the same config as `preset: NAME`', () => {
  for (const name of PRESET_NAMES) {
    const text = presetConfigYaml(name);
    assert.match(text, /^# netlog config: preset /);
    assert.match(text, /^# bytes: /m, `${name} says what bytes means`);
    const printed = validateConfig(parseYaml(text));
    assert.deepEqual(printed.errors, [], name);
    const { preset: _p, ...fromPreset } = validateConfig({ preset: name }).config!;
    assert.deepEqual(printed.config, fromPreset, name);
  }
});

test("a file's table of the same name replaces the preset's, others are added; settle_hours overrides", () => {
  const { config, errors } = validateConfig({
    preset: 'elastic-zeek',
    settle_hours: 12,
    tables: [
      { name: 'dns', index: 'my-dns-*', metrics: [{ name: 'count', type: 'count' }] },
      { name: 'notices', index: 'logs-zeek.notice-*', metrics: [{ name: 'count', type: 'count' }] },
    ],
  });
  assert.deepEqual(errors, []);
  assert.equal(config!.settle_hours, 12);
  assert.equal(config!.tables.find((t) => t.name === 'dns')!.index, 'my-dns-*');
  assert.equal(config!.tables.at(-1)!.name, 'notices');
  assert.equal(config!.tables.length, 10);
  assert.deepEqual(validateConfig({ preset: 'nope' }).errors.length, 1);
});

test('the packetbeat preset never sums interim flow reports', () => {
  const { config } = validateConfig({ preset: 'packetbeat' });
  for (const table of config!.tables) {
    const body = JSON.stringify(buildDayQuery(table, dayRange('2026-11-10'), config!));
    // Either flow reports are filtered on flow.final, or the table reads a transaction dataset only.
    const finalOnly =
      body.includes('{"term":{"flow.final":true}}') || body.includes('{"term":{"flow.final":false}}');
    const transactions =
      /\{"term":\{"event\.dataset":"(dns|dhcpv4|http|tls)"\}\}|\{"terms":\{"event\.dataset":\["http","tls"\]\}\}/.test(
        body,
      );
    assert.ok(finalOnly || transactions, `${table.name} never reads interim flow reports`);
  }
});

test('a sum over two fields is two sum aggregations added up, in buckets and in day totals', () => {
  const { config } = validateConfig({ preset: 'packetbeat' });
  const flow = config!.tables.find((t) => t.name === 'flow')!;
  const range = dayRange('2026-11-10');
  const query = buildDayQuery(flow, range, config!) as { aggs: { time: { aggs: Record<string, unknown> } } };
  assert.deepEqual(query.aggs.time.aggs, {
    bytes__0: { sum: { field: 'source.bytes' } },
    bytes__1: { sum: { field: 'destination.bytes' } },
  });
  const start = range.start.getTime();
  const buckets = Array.from({ length: 96 }, (_, i) => ({
    key: start + i * 900_000,
    doc_count: i === 3 ? 2 : 0,
    bytes__0: { value: i === 3 ? 2 ** 40 + 1 : 0 },
    bytes__1: { value: i === 3 ? 7 : 0 },
  }));
  const page = flattenAggregations({ time: { buckets } }, flow);
  assert.deepEqual(page.rows[3]!.metrics, [2, 2 ** 40 + 8]);
  assert.deepEqual(page.rows[4]!.metrics, [0, 0]);
  const totalsQuery = buildDayTotalsQuery(flow, range, config!) as { aggs: Record<string, unknown> };
  assert.deepEqual(Object.keys(totalsQuery.aggs), ['bytes__0', 'bytes__1']);
  assert.deepEqual(dayTotalsFromResponse(flow, 5, { bytes__0: { value: 100 }, bytes__1: { value: 23 } }), {
    count: 5,
    bytes: 123,
  });
  // An answer missing one part is an error, not a smaller sum.
  assert.throws(
    () => flattenAggregations({ time: { buckets: buckets.map(({ bytes__1: _b, ...b }) => b) } }, flow),
    /no value for metric "bytes"/,
  );
});

test('doctor: a preset fits, partly fits (naming what is missing) or finds no data', () => {
  const tables = validateConfig({ preset: 'elastic-zeek' }).config!.tables;
  const wanted = fieldsByIndex(tables);
  const full = (index: string, drop: string[] = []): FieldCaps => ({
    indices: [`${index.replace('*', 'default')}`],
    fields: Object.fromEntries(
      wanted
        .get(index)!
        .filter((f) => !drop.includes(f))
        .map((f) => [
          f,
          {
            [f === '@timestamp'
              ? 'date'
              : f.endsWith('.ip')
                ? 'ip'
                : f.endsWith('bytes') || f.endsWith('port')
                  ? 'long'
                  : 'keyword']: { aggregatable: true },
          },
        ]),
    ),
  });
  const all = new Map([...wanted.keys()].map((i) => [i, full(i)]));
  assert.deepEqual(assessPreset(tables, all), {
    status: 'fits',
    missingIndices: [],
    missingFields: [],
    otherProblems: [],
  });
  const partly = new Map(all);
  partly.set('logs-zeek.ssl-*', full('logs-zeek.ssl-*', ['zeek.ssl.server.name']));
  partly.set(
    'logs-zeek.http-*,logs-zeek.ssl-*',
    full('logs-zeek.http-*,logs-zeek.ssl-*', ['zeek.ssl.server.name']),
  );
  partly.delete('logs-zeek.dhcp-*');
  const fit = assessPreset(tables, partly);
  assert.equal(fit.status, 'partly');
  assert.deepEqual(fit.missingIndices, ['logs-zeek.dhcp-*']);
  assert.deepEqual(fit.missingFields, ['zeek.ssl.server.name']);
  assert.equal(assessPreset(tables, new Map()).status, 'absent');
});
