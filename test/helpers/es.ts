import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createEngineClient, type EngineClient } from '../../src/extract/engine.js';

/**
 * The real Elasticsearch (or OpenSearch) node of the integration tests. scripts/test.sh starts one
 * per version and passes its URL in NETLOG_TEST_ES_URL (and NETLOG_TEST_ENGINE=opensearch for
 * OpenSearch); a test file run on its own starts (and stops) one itself. The tests' own client is
 * netlog's engine client: the same calls whichever engine answers.
 */

/** The engine the suite runs against. */
export const TEST_ENGINE: 'elasticsearch' | 'opensearch' =
  process.env.NETLOG_TEST_ENGINE === 'opensearch' ? 'opensearch' : 'elasticsearch';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = `${ROOT}scripts/es-local.sh`;

export interface TestEs {
  readonly url: string;
  readonly client: EngineClient;
  close(): Promise<void>;
}

export async function startTestEs(): Promise<TestEs> {
  let url = process.env.NETLOG_TEST_ES_URL;
  let ownNode = false;
  if (!url) {
    url = execFileSync('bash', [SCRIPT, 'start'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ENGINE: TEST_ENGINE },
    })
      .trim()
      .split('\n')
      .pop()!;
    ownNode = true;
  }
  const client = createEngineClient({ node: url, requestTimeout: 60_000 }, TEST_ENGINE);
  return {
    url,
    client,
    async close() {
      await client.close();
      if (ownNode)
        execFileSync('bash', [SCRIPT, 'stop'], {
          stdio: 'inherit',
          env: { ...process.env, ENGINE: TEST_ENGINE },
        });
    },
  };
}

/** Deletes every index starting with `prefix` (each test file uses its own prefix). */
export async function deleteIndices(client: EngineClient, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}*`, allow_no_indices: true, expand_wildcards: 'all' });
}
