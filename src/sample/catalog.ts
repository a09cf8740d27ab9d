/**
 * The fixed world the sample generator draws from: internal hosts and servers, external sites with
 * their addresses, and the registrable domain each name should reduce to. The registrable domains are
 * written here by hand, independently of tldts, so tests can check the reducer against them.
 */

export const PROTOCOLS = ['dns', 'dhcp', 'http', 'tls', 'flow', 'firewall'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The default prefix of the sample indices (the built-in tables read `network-*`). */
const DEFAULT_INDEX_PREFIX = 'network-';

/** The sample's index per protocol. */
export function sampleIndex(protocol: Protocol, prefix = DEFAULT_INDEX_PREFIX): string {
  return `${prefix}${protocol}`;
}

/** The share of baseline documents each protocol gets. */
export const PROTOCOL_WEIGHTS: Record<Protocol, number> = {
  dns: 0.3,
  dhcp: 0.03,
  http: 0.12,
  tls: 0.15,
  flow: 0.3,
  firewall: 0.1,
};

export interface ExternalSite {
  readonly name: string;
  readonly domain: string;
  readonly weight: number;
  readonly ipv4: readonly string[];
  readonly ipv6?: string;
}

// Public addresses chosen from ranges announced by real operators, none of them private.
export const EXTERNAL_SITES: readonly ExternalSite[] = [
  {
    name: 'www.google.com',
    domain: 'google.com',
    weight: 30,
    ipv4: ['142.250.185.68'],
    ipv6: '2a00:1450:4001:82b::2004',
  },
  { name: 'mail.google.com', domain: 'google.com', weight: 12, ipv4: ['142.250.185.101'] },
  { name: 'apis.google.com', domain: 'google.com', weight: 6, ipv4: ['142.250.185.110'] },
  {
    name: 'www.youtube.com',
    domain: 'youtube.com',
    weight: 18,
    ipv4: ['142.250.186.46'],
    ipv6: '2a00:1450:4001:830::200e',
  },
  { name: 'i.ytimg.com', domain: 'ytimg.com', weight: 10, ipv4: ['142.250.186.54'] },
  { name: 'news.bbc.co.uk', domain: 'bbc.co.uk', weight: 6, ipv4: ['151.101.0.81'] },
  { name: 'www.bbc.co.uk', domain: 'bbc.co.uk', weight: 8, ipv4: ['151.101.64.81'] },
  { name: 'github.com', domain: 'github.com', weight: 12, ipv4: ['140.82.121.4'] },
  { name: 'api.github.com', domain: 'github.com', weight: 8, ipv4: ['140.82.121.6'] },
  {
    name: 'objects.githubusercontent.com',
    domain: 'githubusercontent.com',
    weight: 4,
    ipv4: ['185.199.108.133'],
  },
  {
    name: 'en.wikipedia.org',
    domain: 'wikipedia.org',
    weight: 9,
    ipv4: ['185.15.59.224'],
    ipv6: '2a02:ec80:300:ed1a::1',
  },
  { name: 'upload.wikimedia.org', domain: 'wikimedia.org', weight: 5, ipv4: ['185.15.59.240'] },
  { name: 'login.microsoftonline.com', domain: 'microsoftonline.com', weight: 10, ipv4: ['20.190.160.20'] },
  { name: 'outlook.office365.com', domain: 'office365.com', weight: 14, ipv4: ['52.97.133.194'] },
  { name: 'teams.microsoft.com', domain: 'microsoft.com', weight: 11, ipv4: ['52.113.194.132'] },
  { name: 'www.amazon.de', domain: 'amazon.de', weight: 5, ipv4: ['52.95.120.38'] },
  { name: 's3.eu-central-1.amazonaws.com', domain: 'amazonaws.com', weight: 6, ipv4: ['52.219.170.25'] },
  { name: 'cdn.jsdelivr.net', domain: 'jsdelivr.net', weight: 4, ipv4: ['151.101.1.229'] },
  { name: 'www.spiegel.de', domain: 'spiegel.de', weight: 4, ipv4: ['128.65.210.8'] },
  { name: 'static.nytimes.com', domain: 'nytimes.com', weight: 3, ipv4: ['151.101.193.164'] },
  { name: 'app.slack.com', domain: 'slack.com', weight: 7, ipv4: ['3.66.182.58'] },
  { name: 'edge.slack.com', domain: 'slack.com', weight: 4, ipv4: ['3.66.182.60'] },
  { name: 'us02web.zoom.us', domain: 'zoom.us', weight: 5, ipv4: ['170.114.52.2'] },
  { name: 'ocsp.digicert.com', domain: 'digicert.com', weight: 3, ipv4: ['192.229.211.108'] },
  {
    name: 'deb.debian.org',
    domain: 'debian.org',
    weight: 2,
    ipv4: ['151.101.2.132'],
    ipv6: '2a04:4e42::644',
  },
  { name: 'www.example.co.jp', domain: 'example.co.jp', weight: 1, ipv4: ['203.0.113.77'] },
];

/** The beacon: a compromised host calls home once an hour at night. */
export const BEACON_SITE: ExternalSite = {
  name: 'cdn-check.beacon-c2.xyz',
  domain: 'beacon-c2.xyz',
  weight: 0,
  ipv4: ['45.137.21.9'],
};

/** The spike: a burst of DNS tunnelling queries under one domain. */
export const SPIKE_DOMAIN = 'exfil-tunnel.net';

export interface InternalServer {
  readonly name: string;
  readonly short: string;
  readonly ip: string;
  readonly port: number;
  readonly transport: 'tcp' | 'udp';
}

export const INTERNAL_SERVERS: readonly InternalServer[] = [
  { name: 'dc01.corp.example.lan', short: 'dc01', ip: '10.0.0.10', port: 389, transport: 'tcp' },
  { name: 'fs01.corp.example.lan', short: 'fs01', ip: '10.0.0.20', port: 445, transport: 'tcp' },
  { name: 'mail.corp.example.lan', short: 'mail', ip: '10.0.0.25', port: 993, transport: 'tcp' },
  { name: 'intranet.corp.example.lan', short: 'intranet', ip: '10.0.0.30', port: 443, transport: 'tcp' },
  { name: 'print01.corp.example.lan', short: 'print01', ip: '192.168.20.40', port: 631, transport: 'tcp' },
  { name: 'build.corp.example.lan', short: 'build', ip: 'fd00:10:0:1::50', port: 22, transport: 'tcp' },
];

export const DNS_RESOLVER = { ip: '10.0.0.53', name: 'ns01.corp.example.lan' } as const;
export const DHCP_SERVER = { ip: '10.0.0.2' } as const;
export const SENSORS = ['sensor-core-01', 'sensor-dmz-01'] as const;

/**
 * Client `i` of the internal network: mostly 10.1.x.y, some 192.168.10.x, some IPv6 ULA. Past the
 * default CLIENT_COUNT (`sample load --hosts`) every client has an address of its own, in 10.2.0.0/15
 * and up (the first 400 keep theirs, so the default sample is unchanged).
 */
export function internalClient(i: number): string {
  if (i % 10 === 7) return `fd00:10::${(0x100 + i).toString(16)}`;
  if (i >= CLIENT_COUNT)
    return `10.${2 + Math.floor(i / 62_500)}.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`;
  if (i % 10 === 3) return `192.168.10.${20 + (i % 200)}`;
  return `10.1.${Math.floor(i / 200)}.${10 + (i % 200)}`;
}
export const CLIENT_COUNT = 400;

/** External scanners hitting the firewall: public addresses. */
export function externalScanner(i: number): string {
  if (i % 9 === 4) return `2001:67c:2e8:22::c100:${(0x600 + i).toString(16)}`;
  return `${[45, 89, 185, 193][i % 4]}.${(i * 37) % 250}.${(i * 11) % 250}.${1 + (i % 250)}`;
}
