/** The explicit mapping of the sample indices: ip, keyword, date and long, nothing dynamic. */
export const SAMPLE_MAPPING = {
  dynamic: 'strict',
  properties: {
    '@timestamp': { type: 'date' },
    event: {
      properties: { dataset: { type: 'keyword' }, kind: { type: 'keyword' }, action: { type: 'keyword' } },
    },
    host: { properties: { name: { type: 'keyword' } } },
    source: { properties: { ip: { type: 'ip' }, port: { type: 'long' } } },
    destination: { properties: { ip: { type: 'ip' }, port: { type: 'long' }, domain: { type: 'keyword' } } },
    network: {
      properties: { protocol: { type: 'keyword' }, transport: { type: 'keyword' }, bytes: { type: 'long' } },
    },
    dns: {
      properties: { question: { properties: { name: { type: 'keyword' }, type: { type: 'keyword' } } } },
    },
    dhcp: { properties: { message_type: { type: 'keyword' } } },
    url: {
      properties: { full: { type: 'keyword' }, domain: { type: 'keyword' }, path: { type: 'keyword' } },
    },
    http: {
      properties: {
        request: { properties: { method: { type: 'keyword' } } },
        response: { properties: { status_code: { type: 'long' } } },
      },
    },
    tls: {
      properties: {
        client: { properties: { server_name: { type: 'keyword' } } },
        version: { type: 'keyword' },
      },
    },
    rule: { properties: { name: { type: 'keyword' } } },
  },
} as const;
