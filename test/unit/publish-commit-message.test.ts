import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCommitMessage } from '../../src/publish/commit-message.js';

const dayFiles = (tables: string[], days: string[]) =>
  days.flatMap((d) => tables.map((t) => `${t}/${d.slice(0, 4)}/${d}.csv`));

test('one day: the subject names the day, the count of tables and files; the body lists the tables', () => {
  assert.equal(
    buildCommitMessage(['dns/2026/2026-11-24.csv', 'total/2026/2026-11-24.csv', '.gitignore']),
    'netlog: 2026-11-24, 2 tables, 3 files\n\nTables: dns, total\nOther files: 1\n',
  );
  assert.equal(
    buildCommitMessage(['tls/2026/2026-11-25.csv']),
    'netlog: 2026-11-25, 1 table, 1 file\n\nTables: tls\n',
  );
});

test('a few days: a range in the subject, every day in the body', () => {
  assert.equal(
    buildCommitMessage(dayFiles(['websites', 'dns'], ['2026-11-01', '2026-10-30', '2026-10-31'])),
    'netlog: 2026-10-30..2026-11-01, 2 tables, 6 files\n\nTables: dns, websites\nDays: 2026-10-30, 2026-10-31, 2026-11-01\n',
  );
});

test('a month of ten tables is summarised; more than 31 days are not listed one by one', () => {
  const tables = [
    'total',
    'dns',
    'dhcp',
    'http',
    'tls',
    'ssh',
    'smtp',
    'internal_to_internal',
    'internal_to_external',
    'websites',
  ];
  const november = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
  const subject = buildCommitMessage(dayFiles(tables, november)).split('\n')[0];
  assert.equal(subject, 'netlog: 2026-11-01..2026-11-30, 10 tables, 300 files');
  const year = Array.from({ length: 40 }, (_, i) =>
    new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
  );
  const message = buildCommitMessage(dayFiles(['dns'], year));
  assert.match(message, /^netlog: 2026-01-01\.\.2026-02-09, 1 table, 40 files\n/);
  assert.doesNotMatch(message, /Days:/);
});

test('partial days are flagged; a commit of only non-day files is housekeeping', () => {
  assert.match(buildCommitMessage(['tls/2026/2026-11-25.partial.csv']), /Includes partial days/);
  assert.equal(buildCommitMessage(['.gitignore']), 'netlog: housekeeping, 1 file\n\nOther files: 1\n');
});
