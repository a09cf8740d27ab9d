import { rawDefaultTables } from './defaults.js';
import { PRESET_NAMES, type PresetName } from './preset-names.js';

/**
 * Source presets: the tables of netlog's usual outputs, written for the way a real pipeline stores
 * network logs. A preset is data (index patterns, fields, filters, metrics), never a code path: the
 * same schema validates it as a config file's tables, and `netlog config --preset NAME` prints it.
 *
 * The facts each preset relies on come from the sources' ingest pipelines (see the README's
 * "Sources" section); `bytes` does not mean the same everywhere, and each preset says what it means.
 */

export { PRESET_NAMES, type PresetName } from './preset-names.js';

export interface Preset {
  readonly name: PresetName;
  readonly title: string;
  /** One paragraph: what the source is and how the preset reads it. */
  readonly about: string;
  /** What the `bytes` column means with this source. */
  readonly bytes: string;
  /** Hours after a day's end before its logs are complete enough to load (load-daily --settle). */
  readonly settle_hours: number;
  /** Why that settle window, and what catches the rest. */
  readonly settle_why: string;
  /** The tables, as a config file would write them (validated by tableSchema). */
  readonly tables: readonly Record<string, unknown>[];
}

const count = { name: 'count', type: 'count' } as const;
const sum = (field: string) => ({ name: 'bytes', type: 'sum', field });
const sumOf = (...fields: string[]) => ({ name: 'bytes', type: 'sum', fields });

/** The flow tables of a source whose flows live in `index` and carry no destination name. */
function flowTables(
  index: string,
  filters: readonly Record<string, unknown>[],
  metrics: readonly Record<string, unknown>[],
  destination: readonly string[] = ['destination.ip'],
): Record<string, unknown>[] {
  return [
    {
      name: 'internal_to_internal',
      description: 'flows between internal hosts: source → destination server (+ port) per 15 minutes',
      index,
      filters: [...filters, { internal: 'source.ip' }, { internal: 'destination.ip' }],
      metrics,
      levels: [
        { column: 'source', fields: ['source.ip'], transform: 'ip' },
        { column: 'destination', fields: destination, transform: 'host' },
        { column: 'destination_port', fields: ['destination.port'], transform: 'keep' },
      ],
    },
    {
      name: 'internal_to_external',
      description: 'flows from internal hosts to the outside: source → destination per 15 minutes',
      index,
      filters: [...filters, { internal: 'source.ip' }, { external: 'destination.ip' }],
      metrics,
      levels: [
        { column: 'source', fields: ['source.ip'], transform: 'ip' },
        { column: 'destination', fields: destination, transform: 'host' },
      ],
    },
  ];
}

const ZEEK_INDEX = {
  conn: 'logs-zeek.connection-*',
  dns: 'logs-zeek.dns-*',
  dhcp: 'logs-zeek.dhcp-*',
  http: 'logs-zeek.http-*',
  ssl: 'logs-zeek.ssl-*',
};

const SURICATA_INDEX = 'logs-suricata.eve-*';
const eve = (type: string | string[]) =>
  Array.isArray(type)
    ? { terms: { field: 'suricata.eve.event_type', values: type } }
    : { term: { field: 'suricata.eve.event_type', value: type } };

const PACKETBEAT_INDEX = 'packetbeat-*';
// Packetbeat reports a flow every 10 s with its totals so far; only the last report (flow.final) is
// the flow. Interim reports are left out everywhere, or the bytes of a flow are counted many times.
const FINAL_FLOWS = { term: { field: 'flow.final', value: true } };
const NO_INTERIM_FLOW_REPORTS = { raw: { bool: { must_not: [{ term: { 'flow.final': false } }] } } };
const dataset = (value: string) => ({ term: { field: 'event.dataset', value } });

const SO_INDEX = 'logs-*-so*';

export const PRESETS: Record<PresetName, Preset> = {
  'netlog-sample': {
    name: 'netlog-sample',
    title: "netlog's sample layout (the built-in defaults)",
    about:
      "One index per protocol, network-<protocol> (dns, dhcp, http, tls, flow, firewall), ECS fields, as `netlog sample load` writes them; the TLS server name in tls.client.server_name, a flow's server name in destination.domain.",
    bytes: 'network.bytes of each event: the bytes of the whole exchange, both directions.',
    settle_hours: 0,
    settle_why: 'generated data is complete when it is loaded.',
    tables: rawDefaultTables(),
  },
  'elastic-zeek': {
    name: 'elastic-zeek',
    title: "Zeek through Elastic's Zeek integration",
    about:
      "Elastic's Zeek integration writes one data stream per Zeek log: logs-zeek.connection-*, logs-zeek.dns-*, logs-zeek.http-*, logs-zeek.ssl-*, logs-zeek.dhcp-*. The TLS server name (SNI) is zeek.ssl.server.name (not tls.client.server_name), the HTTP host url.domain; connection logs name no server, so flows are keyed by the server's address (pseudonymised). ICMP has no ports: the port column is then empty.",
    bytes:
      'flow tables: network.bytes = orig_ip_bytes + resp_ip_bytes (IP-level bytes of the connection, both directions; payload byte counts are dropped by the pipeline); http: request + response body bytes (http.request.body.bytes + http.response.body.bytes); the dns, dhcp, tls, total and websites tables have no bytes column: those Zeek logs carry no byte counts.',
    settle_hours: 6,
    settle_why:
      'Zeek logs a connection when it closes, stamped with its first packet: a long flow arrives hours later in an earlier bucket. The 06:00 morning run is 6 hours after midnight; the weekly `verify --against-es --repair` rewrites days that changed since.',
    tables: [
      {
        name: 'total',
        description: 'all Zeek connection, dns, dhcp, http and ssl log entries per 15 minutes',
        index: [ZEEK_INDEX.conn, ZEEK_INDEX.dns, ZEEK_INDEX.dhcp, ZEEK_INDEX.http, ZEEK_INDEX.ssl].join(','),
        metrics: [count],
      },
      {
        name: 'dns',
        description: 'Zeek dns.log entries per 15 minutes',
        index: ZEEK_INDEX.dns,
        metrics: [count],
      },
      {
        name: 'dhcp',
        description: 'Zeek dhcp.log entries per 15 minutes',
        index: ZEEK_INDEX.dhcp,
        metrics: [count],
      },
      {
        name: 'http',
        description: 'Zeek http.log entries and their body bytes per 15 minutes',
        index: ZEEK_INDEX.http,
        metrics: [count, sumOf('http.request.body.bytes', 'http.response.body.bytes')],
      },
      {
        name: 'tls',
        description: 'Zeek ssl.log entries per 15 minutes',
        index: ZEEK_INDEX.ssl,
        metrics: [count],
      },
      {
        name: 'flow',
        description: 'Zeek connections (conn.log) and their IP bytes per 15 minutes',
        index: ZEEK_INDEX.conn,
        metrics: [count, sum('network.bytes')],
      },
      ...flowTables(ZEEK_INDEX.conn, [], [count, sum('network.bytes')]),
      {
        name: 'websites',
        description: 'external web sites (http host, TLS SNI) by registrable domain per 15 minutes',
        index: `${ZEEK_INDEX.http},${ZEEK_INDEX.ssl}`,
        filters: [{ external: 'destination.ip' }],
        metrics: [count],
        levels: [{ column: 'domain', fields: ['url.domain', 'zeek.ssl.server.name'], transform: 'host' }],
      },
    ],
  },
  suricata: {
    name: 'suricata',
    title: "Suricata EVE through Elastic's Suricata integration",
    about:
      "Every Suricata event type shares one data stream, logs-suricata.eve-*: each table filters on suricata.eve.event_type (flow, dns, http, tls, dhcp). DNS queries and answers are separate events: the dns table counts queries (dns.type: query). The TLS server name is tls.client.server_name (and destination.domain), the HTTP host url.domain; flow events name no server, so flows are keyed by the server's address.",
    bytes:
      'flow tables: network.bytes = bytes_toserver + bytes_toclient of the flow (source.bytes + destination.bytes); http: the response body length (http.response.body.bytes); the dns, dhcp, tls, total and websites tables have no bytes column.',
    settle_hours: 2,
    settle_why:
      'Suricata writes a flow event when the flow times out or ends: a long TCP session arrives later in an earlier bucket. 2 hours covers the default timeouts with margin; the weekly `verify --against-es --repair` catches the rest.',
    tables: [
      {
        name: 'total',
        description: 'Suricata flow, dns query, http, tls and dhcp events per 15 minutes',
        index: SURICATA_INDEX,
        filters: [
          eve(['flow', 'dns', 'http', 'tls', 'dhcp']),
          { raw: { bool: { must_not: [{ term: { 'dns.type': 'answer' } }] } } },
        ],
        metrics: [count],
      },
      {
        name: 'dns',
        description: 'Suricata DNS queries per 15 minutes',
        index: SURICATA_INDEX,
        filters: [eve('dns'), { term: { field: 'dns.type', value: 'query' } }],
        metrics: [count],
      },
      {
        name: 'dhcp',
        description: 'Suricata DHCP events',
        index: SURICATA_INDEX,
        filters: [eve('dhcp')],
        metrics: [count],
      },
      {
        name: 'http',
        description: 'Suricata HTTP transactions and their response body bytes per 15 minutes',
        index: SURICATA_INDEX,
        filters: [eve('http')],
        metrics: [count, sum('http.response.body.bytes')],
      },
      {
        name: 'tls',
        description: 'Suricata TLS handshakes',
        index: SURICATA_INDEX,
        filters: [eve('tls')],
        metrics: [count],
      },
      {
        name: 'flow',
        description: 'Suricata flows and their bytes per 15 minutes',
        index: SURICATA_INDEX,
        filters: [eve('flow')],
        metrics: [count, sum('network.bytes')],
      },
      ...flowTables(SURICATA_INDEX, [eve('flow')], [count, sum('network.bytes')]),
      {
        name: 'websites',
        description: 'external web sites (http host, TLS SNI) by registrable domain per 15 minutes',
        index: SURICATA_INDEX,
        filters: [eve(['http', 'tls']), { external: 'destination.ip' }],
        metrics: [count],
        levels: [
          {
            column: 'domain',
            fields: ['url.domain', 'tls.client.server_name', 'destination.domain'],
            transform: 'host',
          },
        ],
      },
    ],
  },
  packetbeat: {
    name: 'packetbeat',
    title: 'Packetbeat (or the network_traffic integration), final flows only',
    about:
      "Packetbeat writes transactions (dns, http, tls, dhcpv4: event.dataset) and flow reports to packetbeat-*. Flow reports are cumulative: every 10 s a flow is reported again with its totals so far, and only the last report has flow.final: true. Every table leaves the interim reports out (summing them would count a flow's bytes once per report); the flow tables read final reports only.",
    bytes:
      'source.bytes + destination.bytes (summed client-side from two sum aggregations, exact for integers): for a flow its total bytes both ways, for a transaction its request and response bytes.',
    settle_hours: 1,
    settle_why:
      "a flow is final after its inactivity timeout (30 s by default) or at its 10-minute period; 1 hour leaves room for the shipper's queue. The weekly `verify --against-es --repair` catches later arrivals.",
    tables: [
      {
        name: 'total',
        description: 'Packetbeat transactions and final flows per 15 minutes',
        index: PACKETBEAT_INDEX,
        filters: [NO_INTERIM_FLOW_REPORTS],
        metrics: [count, sumOf('source.bytes', 'destination.bytes')],
      },
      ...(
        [
          ['dns', 'dns'],
          ['dhcp', 'dhcpv4'],
          ['http', 'http'],
          ['tls', 'tls'],
        ] as const
      ).map(([name, ds]) => ({
        name,
        description: `Packetbeat ${ds} transactions per 15 minutes`,
        index: PACKETBEAT_INDEX,
        filters: [dataset(ds)],
        metrics: [count, sumOf('source.bytes', 'destination.bytes')],
      })),
      {
        name: 'flow',
        description: 'final Packetbeat flow reports and their bytes per 15 minutes',
        index: PACKETBEAT_INDEX,
        filters: [dataset('flow'), FINAL_FLOWS],
        metrics: [count, sumOf('source.bytes', 'destination.bytes')],
      },
      ...flowTables(
        PACKETBEAT_INDEX,
        [dataset('flow'), FINAL_FLOWS],
        [count, sumOf('source.bytes', 'destination.bytes')],
      ),
      {
        name: 'websites',
        description: 'external web sites (http host, TLS SNI) by registrable domain per 15 minutes',
        index: PACKETBEAT_INDEX,
        filters: [
          { terms: { field: 'event.dataset', values: ['http', 'tls'] } },
          { external: 'destination.ip' },
        ],
        metrics: [count, sumOf('source.bytes', 'destination.bytes')],
        levels: [{ column: 'domain', fields: ['url.domain', 'tls.client.server_name'], transform: 'host' }],
      },
    ],
  },
  'security-onion': {
    name: 'security-onion',
    title: 'Security Onion 2.4+ (Zeek)',
    about:
      "Security Onion 2.4 writes its logs to data streams matching logs-*-so* with ECS fields; event.dataset names the Zeek log (zeek.conn, zeek.dns, zeek.dhcp, zeek.http, zeek.ssl). The TLS server name is ssl.server_name, the HTTP host http.virtual_host (Security Onion's own Zeek pipelines); connections name no server, so flows are keyed by the server's address.",
    bytes:
      "flow tables: source.bytes + destination.bytes of the connection (the originator's and the responder's bytes, both directions, summed client-side); the dns, dhcp, http, tls, total and websites tables have no bytes column.",
    settle_hours: 6,
    settle_why:
      'Zeek logs a connection when it closes, stamped with its first packet, as with the Elastic integration: the 06:00 morning run, and the weekly `verify --against-es --repair`.',
    tables: [
      {
        name: 'total',
        description: 'all Zeek conn, dns, dhcp, http and ssl entries per 15 minutes',
        index: SO_INDEX,
        filters: [
          {
            terms: {
              field: 'event.dataset',
              values: ['zeek.conn', 'zeek.dns', 'zeek.dhcp', 'zeek.http', 'zeek.ssl'],
            },
          },
        ],
        metrics: [count],
      },
      ...(
        [
          ['dns', 'zeek.dns'],
          ['dhcp', 'zeek.dhcp'],
          ['http', 'zeek.http'],
          ['tls', 'zeek.ssl'],
        ] as const
      ).map(([name, ds]) => ({
        name,
        description: `${ds} entries per 15 minutes`,
        index: SO_INDEX,
        filters: [dataset(ds)],
        metrics: [count],
      })),
      {
        name: 'flow',
        description: 'Zeek connections and their bytes per 15 minutes',
        index: SO_INDEX,
        filters: [dataset('zeek.conn')],
        metrics: [count, sumOf('source.bytes', 'destination.bytes')],
      },
      ...flowTables(SO_INDEX, [dataset('zeek.conn')], [count, sumOf('source.bytes', 'destination.bytes')]),
      {
        name: 'websites',
        description: 'external web sites (http host, TLS SNI) by registrable domain per 15 minutes',
        index: SO_INDEX,
        filters: [
          { terms: { field: 'event.dataset', values: ['zeek.http', 'zeek.ssl'] } },
          { external: 'destination.ip' },
        ],
        metrics: [count],
        levels: [{ column: 'domain', fields: ['http.virtual_host', 'ssl.server_name'], transform: 'host' }],
      },
    ],
  },
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}
