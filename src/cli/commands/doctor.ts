import { errors } from '@elastic/elasticsearch';
import { ConfigError, ExitCode } from '../../errors.js';
import { readHashKey } from '../../config/hash-key.js';
import { diagnoseTable, fieldsNeeded, type FieldCaps } from '../../es/doctor.js';
import { withEsRetry } from '../../es/search.js';
import { checkEsReachable, loadCommandConfig, openEs, type EsFlags } from '../setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

/** `netlog doctor`: the cluster, then every table's indices and fields, then the key, one line each. */
export async function run(options: GlobalOptions & EsFlags, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx, 'none');
  const es = openEs(options, config, ctx);
  try {
    await checkEsReachable(es);
    const health = await es.client.cluster.health();
    // GET / is not served by every distribution (the integ-test zip has no main action): ask the node.
    const nodes = await es.client.nodes.info({
      node_id: '_local',
      metric: '_none',
      filter_path: 'nodes.*.version',
    });
    const version =
      Object.values((nodes as unknown as { nodes: Record<string, { version: string }> }).nodes)[0]?.version ??
      'unknown';
    ctx.out(
      `cluster ${health.cluster_name} at ${es.endpoint}: Elasticsearch ${version}, status ${health.status}, ${health.number_of_nodes} node(s)`,
    );
    let problems = 0;
    for (const table of config.tables) {
      let caps: FieldCaps;
      try {
        const response = await withEsRetry(es.search, { index: table.index, table: table.name }, () =>
          es.client.fieldCaps({
            index: table.index,
            fields: [...new Set(fieldsNeeded(table).map((f) => f.field))],
            allow_no_indices: false,
            ignore_unavailable: false,
          }),
        );
        caps = { fields: response.fields as FieldCaps['fields'], indices: [response.indices].flat() };
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause;
        if (cause instanceof errors.ResponseError && cause.statusCode === 404) {
          ctx.out(
            `PROBLEM ${table.name}: index pattern "${table.index}" matches no index: fix tables[].index`,
          );
          problems++;
          continue;
        }
        throw err;
      }
      const found = diagnoseTable(table, caps);
      problems += found.length;
      if (found.length === 0)
        ctx.out(
          `ok      ${table.name}: ${caps.indices.length} index(es) (${caps.indices.slice(0, 3).join(', ')}${caps.indices.length > 3 ? ', …' : ''}), fields usable`,
        );
      for (const p of found) ctx.out(`PROBLEM ${p}`);
    }
    // The key every load needs: without it the next load-daily would exit 2.
    // (The legacy unkeyed sha1 needs none.)
    if (config.pseudonym.algorithm !== 'sha1')
      try {
        readHashKey(ctx.env);
        ctx.out('ok      pseudonymisation key: set (NETLOG_HASH_KEY or NETLOG_HASH_KEY_FILE)');
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        ctx.out(`PROBLEM ${err.message}`);
        problems++;
      }
    ctx.log.info({ problems, tables: config.tables.length }, 'doctor finished');
    if (problems > 0) ctx.out(`${problems} problem(s): fix them before the next load-daily`);
    return problems > 0 ? ExitCode.runtime : ExitCode.ok;
  } finally {
    await es.close();
  }
}
