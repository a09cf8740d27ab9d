import { PROTOCOLS, sampleIndex, type Protocol } from './catalog.js';
import { SAMPLE_MAPPING } from './mapping.js';
import type { SampleDoc } from './generate.js';
import type { PresetName } from '../config/preset-names.js';

/**
 * The generated documents in the shape each source preset reads: the same events (so the same
 * expected counts and bytes), written the way Elastic's Zeek and Suricata integrations, Packetbeat
 * and Security Onion write them. Pure.
 *
 * A source that has no such log drops the event (no firewall log in Zeek, Suricata or Packetbeat);
 * the expectations count only what was written. Some shapes add documents a preset must leave out:
 * Suricata's DNS answers beside each query, and Packetbeat's interim (cumulative) flow reports before
 * each final one, whose bytes a naive sum would count again.
 */

export type SampleSchema = PresetName;

export interface ShapedDoc {
  readonly index: string;
  readonly id: string;
  readonly body: Record<string, unknown>;
  /** False for the extra documents (DNS answers, interim flow reports) no table may count. */
  readonly counted: boolean;
}

/** Where each schema writes (`namespace`: the data stream namespace; `prefix`: netlog-sample's). */
export interface SchemaTarget {
  readonly namespace: string;
  readonly prefix?: string;
}

type FieldType = 'date' | 'ip' | 'keyword' | 'long' | 'boolean';

const ZEEK_DATASET: Partial<Record<Protocol, string>> = {
  flow: 'connection',
  dns: 'dns',
  dhcp: 'dhcp',
  http: 'http',
  tls: 'ssl',
};
const SO_DATASET: Partial<Record<Protocol, string>> = {
  flow: 'zeek.conn',
  dns: 'zeek.dns',
  dhcp: 'zeek.dhcp',
  http: 'zeek.http',
  tls: 'zeek.ssl',
};
const PACKETBEAT_DATASET: Partial<Record<Protocol, string>> = {
  flow: 'flow',
  dns: 'dns',
  dhcp: 'dhcpv4',
  http: 'http',
  tls: 'tls',
};
/** Packetbeat's reporting period: an interim report every 10 s before the final one. */
const FLOW_PERIOD_MS = 10_000;

/** Every index a schema writes, in a stable order. */
export function schemaIndices(schema: SampleSchema, target: SchemaTarget): string[] {
  switch (schema) {
    case 'netlog-sample':
      return PROTOCOLS.map((p) => sampleIndex(p, target.prefix));
    case 'elastic-zeek':
      return Object.values(ZEEK_DATASET).map((d) => `logs-zeek.${d}-${target.namespace}`);
    case 'suricata':
      return [`logs-suricata.eve-${target.namespace}`];
    case 'packetbeat':
      return [`packetbeat-${target.namespace}`];
    case 'security-onion':
      return [target.namespace === 'default' ? 'logs-zeek-so' : `logs-zeek-so-${target.namespace}`];
  }
}

/** The explicit mapping of a schema's indices (every field typed; nothing dynamic). */
export function schemaMapping(schema: SampleSchema): Record<string, unknown> {
  if (schema === 'netlog-sample') return SAMPLE_MAPPING as unknown as Record<string, unknown>;
  const common: Record<string, FieldType> = {
    '@timestamp': 'date',
    'event.dataset': 'keyword',
    'event.kind': 'keyword',
    'source.ip': 'ip',
    'source.port': 'long',
    'destination.ip': 'ip',
    'destination.port': 'long',
    'network.transport': 'keyword',
    'network.protocol': 'keyword',
    'host.name': 'keyword',
  };
  const fields: Record<string, FieldType> = { ...common };
  const add = (more: Record<string, FieldType>) => Object.assign(fields, more);
  switch (schema) {
    case 'elastic-zeek':
      add({
        'source.bytes': 'long',
        'destination.bytes': 'long',
        'network.bytes': 'long',
        'network.direction': 'keyword',
        'zeek.session_id': 'keyword',
        'zeek.connection.state': 'keyword',
        'dns.question.name': 'keyword',
        'dns.question.registered_domain': 'keyword',
        'dns.question.type': 'keyword',
        'zeek.dhcp.msg.types': 'keyword',
        'url.domain': 'keyword',
        'url.path': 'keyword',
        'url.original': 'keyword',
        'http.request.method': 'keyword',
        'http.request.body.bytes': 'long',
        'http.response.status_code': 'long',
        'http.response.body.bytes': 'long',
        'zeek.ssl.server.name': 'keyword',
        'tls.version': 'keyword',
      });
      break;
    case 'suricata':
      add({
        'suricata.eve.event_type': 'keyword',
        'suricata.eve.flow_id': 'keyword',
        'source.bytes': 'long',
        'destination.bytes': 'long',
        'network.bytes': 'long',
        'destination.domain': 'keyword',
        'dns.type': 'keyword',
        'dns.question.name': 'keyword',
        'dns.question.type': 'keyword',
        'dhcp.message_type': 'keyword',
        'url.domain': 'keyword',
        'url.path': 'keyword',
        'url.original': 'keyword',
        'http.request.method': 'keyword',
        'http.response.status_code': 'long',
        'http.response.body.bytes': 'long',
        'tls.client.server_name': 'keyword',
        'tls.version': 'keyword',
      });
      break;
    case 'packetbeat':
      add({
        type: 'keyword',
        'flow.id': 'keyword',
        'flow.final': 'boolean',
        'event.start': 'date',
        'event.end': 'date',
        'source.bytes': 'long',
        'destination.bytes': 'long',
        'network.bytes': 'long',
        'dns.question.name': 'keyword',
        'dns.question.type': 'keyword',
        'dhcpv4.op_code': 'keyword',
        'url.domain': 'keyword',
        'url.full': 'keyword',
        'url.path': 'keyword',
        'http.request.method': 'keyword',
        'http.response.status_code': 'long',
        'tls.client.server_name': 'keyword',
        'tls.version': 'keyword',
      });
      break;
    case 'security-onion':
      add({
        'event.module': 'keyword',
        'source.bytes': 'long',
        'destination.bytes': 'long',
        'log.id.uid': 'keyword',
        'dns.query.name': 'keyword',
        'dns.query.type_name': 'keyword',
        'dhcp.message_types': 'keyword',
        'http.virtual_host': 'keyword',
        'http.uri': 'keyword',
        'http.method': 'keyword',
        'http.status_code': 'long',
        'ssl.server_name': 'keyword',
        'ssl.version': 'keyword',
      });
      break;
  }
  return nestedMapping(fields);
}

function nestedMapping(fields: Record<string, FieldType>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, type] of Object.entries(fields)) {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = (node[part] ??= { properties: {} }) as { properties: Record<string, unknown> };
      node = next.properties;
    }
    node[parts.at(-1)!] = { type };
  }
  return { dynamic: 'strict', properties: root };
}

/** Reads a dotted path of a generated (netlog-sample shaped) body. */
function get(body: Record<string, unknown>, path: string): unknown {
  let v: unknown = body;
  for (const part of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
  return v;
}

/** Drops undefined leaves, so a missing value is a missing field, as the pipelines write it. */
function clean(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] =
      v !== null && typeof v === 'object' && !Array.isArray(v) ? clean(v as Record<string, unknown>) : v;
  }
  return out;
}

/** The two directions' share of a byte count: the originator sends about a third. */
function split(bytes: number): [number, number] {
  const a = Math.floor(bytes / 3);
  return [a, bytes - a];
}

const DIRECTION = {
  internal_to_internal: 'internal',
  internal_to_external: 'outbound',
  external_to_internal: 'inbound',
} as const;

/** The generated document `doc` as `schema` stores it: none, one, or several documents. */
export function shapeDoc(schema: SampleSchema, doc: SampleDoc, target: SchemaTarget): ShapedDoc[] {
  if (schema === 'netlog-sample') return [{ index: doc.index, id: doc.id, body: doc.body, counted: true }];
  const b = doc.body;
  const p = doc.protocol;
  if (p === 'firewall') return [];
  const [up, down] = split(doc.bytes);
  const endpoints = {
    source: { ip: get(b, 'source.ip'), port: get(b, 'source.port') },
    destination: { ip: get(b, 'destination.ip'), port: get(b, 'destination.port') },
  };
  const name = (get(b, 'dns.question.name') ?? undefined) as string | undefined;
  const host = (get(b, 'url.domain') ?? get(b, 'tls.client.server_name')) as string | undefined;
  const one = (index: string, body: Record<string, unknown>): ShapedDoc[] => [
    {
      index,
      id: doc.id,
      body: clean({ '@timestamp': b['@timestamp'], host: b.host, ...body }),
      counted: true,
    },
  ];
  switch (schema) {
    case 'elastic-zeek': {
      const index = `logs-zeek.${ZEEK_DATASET[p]}-${target.namespace}`;
      const event = { dataset: `zeek.${ZEEK_DATASET[p]}`, kind: 'event' };
      const network = { transport: get(b, 'network.transport'), protocol: p === 'tls' ? 'ssl' : p };
      if (p === 'flow')
        return one(index, {
          event,
          source: { ...endpoints.source, bytes: up },
          destination: { ...endpoints.destination, bytes: down },
          network: { ...network, protocol: undefined, bytes: doc.bytes, direction: DIRECTION[doc.category] },
          zeek: { session_id: doc.id, connection: { state: 'SF' } },
        });
      if (p === 'dns')
        return one(index, {
          event,
          ...endpoints,
          network,
          dns: { question: { name, type: get(b, 'dns.question.type') } },
        });
      if (p === 'dhcp')
        return one(index, {
          event,
          ...endpoints,
          network,
          zeek: { dhcp: { msg: { types: get(b, 'dhcp.message_type') } } },
        });
      if (p === 'http')
        return one(index, {
          event,
          ...endpoints,
          network,
          url: { domain: host, path: get(b, 'url.path'), original: get(b, 'url.path') },
          http: {
            request: { method: get(b, 'http.request.method'), body: { bytes: up } },
            response: { status_code: get(b, 'http.response.status_code'), body: { bytes: down } },
          },
        });
      return one(index, {
        event,
        ...endpoints,
        network,
        zeek: { ssl: { server: { name: host } } },
        tls: { version: get(b, 'tls.version') },
      });
    }
    case 'suricata': {
      const index = `logs-suricata.eve-${target.namespace}`;
      const type = p === 'flow' ? 'flow' : p;
      const base = {
        event: { dataset: 'suricata.eve', kind: 'event' },
        suricata: { eve: { event_type: type, flow_id: doc.id } },
        network: { transport: get(b, 'network.transport'), protocol: p === 'flow' ? undefined : p },
      };
      if (p === 'flow')
        return one(index, {
          ...base,
          source: { ...endpoints.source, bytes: up },
          destination: { ...endpoints.destination, bytes: down },
          network: { ...base.network, bytes: doc.bytes },
        });
      if (p === 'dns') {
        const query = {
          ...base,
          ...endpoints,
          dns: { type: 'query', question: { name, type: get(b, 'dns.question.type') } },
        };
        // Suricata logs the answer as an event of its own: the preset counts queries only.
        const answer: ShapedDoc = {
          index,
          id: `${doc.id}-answer`,
          body: clean({
            '@timestamp': b['@timestamp'],
            host: b.host,
            ...query,
            dns: { type: 'answer', question: { name } },
          }),
          counted: false,
        };
        return [...one(index, query), answer];
      }
      if (p === 'dhcp')
        return one(index, { ...base, ...endpoints, dhcp: { message_type: get(b, 'dhcp.message_type') } });
      if (p === 'http')
        return one(index, {
          ...base,
          ...endpoints,
          url: { domain: host, path: get(b, 'url.path'), original: get(b, 'url.path') },
          http: {
            request: { method: get(b, 'http.request.method') },
            response: { status_code: get(b, 'http.response.status_code'), body: { bytes: doc.bytes } },
          },
        });
      return one(index, {
        ...base,
        source: endpoints.source,
        destination: { ...endpoints.destination, domain: host },
        tls: { client: { server_name: host }, version: get(b, 'tls.version') },
      });
    }
    case 'packetbeat': {
      const index = `packetbeat-${target.namespace}`;
      const dataset = PACKETBEAT_DATASET[p]!;
      const base = {
        type: dataset,
        event: { dataset, kind: 'event' },
        network: { transport: get(b, 'network.transport'), protocol: p === 'flow' ? undefined : p },
      };
      if (p === 'flow') {
        // 1 to 3 interim reports, 10 s apart, each with the totals so far, then the final report.
        const interim = 1 + (Number(doc.id.split('-').pop()) % 3);
        const end = doc.timestamp;
        const start = end - interim * FLOW_PERIOD_MS - 1000;
        return Array.from({ length: interim + 1 }, (_, k) => {
          const final = k === interim;
          const share = (k + 1) / (interim + 1);
          const [s, d] = final ? [up, down] : [Math.floor(up * share), Math.floor(down * share)];
          const at = final ? end : end - (interim - k) * FLOW_PERIOD_MS;
          return {
            index,
            id: final ? doc.id : `${doc.id}-r${k}`,
            counted: final,
            body: clean({
              '@timestamp': new Date(at).toISOString(),
              host: b.host,
              ...base,
              event: { ...base.event, start: new Date(start).toISOString(), end: new Date(at).toISOString() },
              flow: { id: doc.id, final },
              source: { ...endpoints.source, bytes: s },
              destination: { ...endpoints.destination, bytes: d },
              network: { ...base.network, bytes: s + d },
            }),
          };
        });
      }
      const bytes = {
        source: { ...endpoints.source, bytes: up },
        destination: { ...endpoints.destination, bytes: down },
      };
      if (p === 'dns')
        return one(index, {
          ...base,
          ...bytes,
          dns: { question: { name, type: get(b, 'dns.question.type') } },
        });
      if (p === 'dhcp')
        return one(index, { ...base, ...bytes, dhcpv4: { op_code: get(b, 'dhcp.message_type') } });
      if (p === 'http')
        return one(index, {
          ...base,
          ...bytes,
          url: { domain: host, full: get(b, 'url.full'), path: get(b, 'url.path') },
          http: {
            request: { method: get(b, 'http.request.method') },
            response: { status_code: get(b, 'http.response.status_code') },
          },
        });
      return one(index, {
        ...base,
        ...bytes,
        tls: { client: { server_name: host }, version: get(b, 'tls.version') },
      });
    }
    case 'security-onion': {
      const index = schemaIndices('security-onion', target)[0]!;
      const base = {
        event: { dataset: SO_DATASET[p], module: 'zeek', kind: 'event' },
        log: { id: { uid: doc.id } },
        network: { transport: get(b, 'network.transport') },
      };
      if (p === 'flow')
        return one(index, {
          ...base,
          source: { ...endpoints.source, bytes: up },
          destination: { ...endpoints.destination, bytes: down },
        });
      if (p === 'dns')
        return one(index, {
          ...base,
          ...endpoints,
          dns: { query: { name, type_name: get(b, 'dns.question.type') } },
        });
      if (p === 'dhcp')
        return one(index, { ...base, ...endpoints, dhcp: { message_types: get(b, 'dhcp.message_type') } });
      if (p === 'http')
        return one(index, {
          ...base,
          ...endpoints,
          http: {
            virtual_host: host,
            uri: get(b, 'url.path'),
            method: get(b, 'http.request.method'),
            status_code: get(b, 'http.response.status_code'),
          },
        });
      return one(index, {
        ...base,
        ...endpoints,
        ssl: { server_name: host, version: get(b, 'tls.version') },
      });
    }
  }
}
