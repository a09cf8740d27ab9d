import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReportHtml, escapeHtml, inlineSvg } from '../../src/analysis/report.js';

const html = buildReportHtml({
  title: 'report <1>',
  generatedAt: '2026-11-25T06:00:00Z',
  from: '2026-11-23',
  to: '2026-11-24',
  timeZone: 'UTC',
  method: 'robust & simple',
  sections: [
    {
      table: 'dns',
      description: 'x & y',
      charts: ['<?xml version="1.0" encoding="utf-8"?>\n<svg class="marks" width="10" height="10"></svg>'],
      anomalies: [{ timestamp: '2026-11-24T14:00:00Z', value: 913, expected: 137.26, score: 40.81 }],
    },
    { table: 'tls', description: '', charts: ['<svg></svg>'], anomalies: [] },
    {
      table: 'websites',
      description: '',
      charts: [],
      note: 'No complete day file from 2026-11-23 to 2026-11-24.',
    },
  ],
  completeness: [
    {
      table: 'dns',
      days: [
        { day: '2026-11-23', status: 'partial', detail: 'only a partial file' },
        { day: '2026-11-24', status: 'ok', detail: '' },
      ],
    },
    {
      table: 'tls',
      days: [
        { day: '2026-11-23', status: 'ok', detail: '' },
        { day: '2026-11-24', status: 'ok', detail: '' },
      ],
    },
    {
      table: 'websites',
      days: [
        { day: '2026-11-23', status: 'missing', detail: 'no file' },
        { day: '2026-11-24', status: 'corrupt', detail: 'bad header "a<b"' },
      ],
    },
  ],
});

test('the report is one self-contained document: no script, stylesheet, font or image from elsewhere', () => {
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|url\(|@import|src=|https?:\/\//i);
  assert.doesNotMatch(html, /<\?xml/, 'SVG prologs are stripped so the SVG can sit inline');
  assert.match(html, /<svg role="img" aria-label="dns chart 1" class="marks"/);
});

test('text is escaped everywhere', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.match(html, /<title>report &lt;1&gt;<\/title>/);
  assert.match(html, /x &amp; y/);
  assert.match(html, /robust &amp; simple/);
  assert.match(html, /bad header &quot;a&lt;b&quot;/);
  assert.equal(inlineSvg('<svg x="1"/>', 'a"b'), '<svg role="img" aria-label="a&quot;b" x="1"/>');
});

test('summary, completeness grid, anomalies and notes', () => {
  assert.match(
    html,
    /<tr><td><a href="#t-dns">dns<\/a><\/td><td class="num alert">1\/2<\/td><td class="num alert">1<\/td><\/tr>/,
  );
  assert.match(
    html,
    /<tr><td><a href="#t-tls">tls<\/a><\/td><td class="num">2\/2<\/td><td class="num">0<\/td><\/tr>/,
  );
  assert.match(html, /<td class="num muted">—<\/td>/, 'no anomaly analysis for a flow table');
  // One grid cell per day: P(artial), ok (empty), M(issing), C(orrupt), with the detail on hover.
  assert.match(
    html,
    /<td class="partial" title="2026-11-23 partial: only a partial file">P<\/td><td class="ok" title="2026-11-24 ok"><\/td><td class="count">1\/2<\/td>/,
  );
  assert.match(
    html,
    /<td class="missing" title="2026-11-23 missing: no file">M<\/td><td class="bad" [^>]*>C<\/td><td class="count">0\/2<\/td>/,
  );
  assert.match(html, /<summary>3 day file\(s\) missing or not complete<\/summary>/);
  assert.match(html, /<li>websites 2026-11-23: missing \(no file\)<\/li>/);
  assert.match(
    html,
    /<tr><td>2026-11-24T14:00:00Z<\/td><td class="num">913<\/td><td class="num">137.3<\/td><td class="num">40.8<\/td><\/tr>/,
  );
  assert.match(html, /<section id="t-tls">[^]*<p class="good">No anomalies.<\/p>/);
  assert.match(html, /<p class="note">No complete day file from 2026-11-23 to 2026-11-24.<\/p>/);
});
