import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';

/**
 * The real Elasticsearch node of the integration tests. scripts/test.sh starts one per version and
 * passes its URL in NETLOG_TEST_ES_URL; a test file run on its own starts (and stops) one itself.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = `${ROOT}scripts/es-local.sh`;

export interface TestEs {
  readonly url: string;
  readonly client: Client;
  close(): Promise<void>;
}

export async function startTestEs(): Promise<TestEs> {
  let url = process.env.NETLOG_TEST_ES_URL;
  let ownNode = false;
  if (!url) {
    url = execFileSync('bash', [SCRIPT, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .pop()!;
    ownNode = true;
  }
  const client = new Client({ node: url, requestTimeout: 60_000 });
  return {
    url,
    client,
    async close() {
      await client.close();
      if (ownNode) execFileSync('bash', [SCRIPT, 'stop'], { stdio: 'inherit' });
    },
  };
}

/** Deletes every index starting with `prefix` (each test file uses its own prefix). */
export async function deleteIndices(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}*`, allow_no_indices: true, expand_wildcards: 'all' });
}
