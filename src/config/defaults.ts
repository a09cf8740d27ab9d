import { tableSchema, type TableConfig } from './schema.js';

/**
 * The built-in tables: the original morning job. One time series over all network indices, one per
 * protocol, the two flow tables and the websites visited. Index patterns follow the sample's
 * `network-<protocol>` naming; a site with other names overrides `tables` in its config file.
 */

const PROTOCOL_TABLES = ['dns', 'dhcp', 'http', 'tls', 'flow', 'firewall'] as const;

const rawDefaults: unknown[] = [
  {
    name: 'total',
    description: 'all network events: count and bytes per 15 minutes',
    index: 'network-*',
  },
  ...PROTOCOL_TABLES.map((p) => ({
    name: p,
    description: `${p} events: count and bytes per 15 minutes`,
    index: `network-${p}`,
  })),
  {
    name: 'internal_to_internal',
    description: 'flows between internal hosts: source → destination server (+ port) per 15 minutes',
    index: 'network-flow',
    filters: [{ internal: 'source.ip' }, { internal: 'destination.ip' }],
    levels: [
      { column: 'source', fields: ['source.ip'], transform: 'ip' },
      { column: 'destination', fields: ['destination.domain', 'destination.ip'], transform: 'host' },
      { column: 'destination_port', fields: ['destination.port'], transform: 'keep' },
    ],
  },
  {
    name: 'internal_to_external',
    description: 'flows from internal hosts to the outside: source → destination domain per 15 minutes',
    index: 'network-flow',
    filters: [{ internal: 'source.ip' }, { external: 'destination.ip' }],
    levels: [
      { column: 'source', fields: ['source.ip'], transform: 'ip' },
      { column: 'destination', fields: ['destination.domain', 'destination.ip'], transform: 'host' },
    ],
  },
  {
    name: 'websites',
    description: 'external web sites visited (http and tls), by registrable domain per 15 minutes',
    index: 'network-http,network-tls',
    filters: [{ external: 'destination.ip' }],
    levels: [
      { column: 'domain', fields: ['url.domain', 'tls.client.server_name', 'url.full'], transform: 'host' },
    ],
  },
];

/** The built-in tables as a config file writes them (the `netlog-sample` preset). */
export function rawDefaultTables(): Record<string, unknown>[] {
  return structuredClone(rawDefaults) as Record<string, unknown>[];
}

/** The built-in tables, parsed through the same schema as a config file's. */
export function defaultTables(): TableConfig[] {
  return rawDefaults.map((t) => tableSchema.parse(t));
}
