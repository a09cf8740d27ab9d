import { ExitCode } from '../../errors.js';
import { initDataRepo } from '../../publish/init-repo.js';
import { alignRemoteHead } from '../../publish/remote-head.js';
import { maskUrlCredentials } from '../../net/url-credentials.js';
import { withDataLock } from '../data-lock.js';
import { loadCommandConfig } from '../command-config.js';
import type { CommandContext } from '../context.js';
import type { InitDataOptions } from '../program.js';

/**
 * `netlog init-data --remote URL`: the data directory becomes a working copy of the analysts'
 * repository on `git.branch` (a clone, an adopted clone, or a folder of CSVs put on top of it).
 */
export async function run(options: InitDataOptions, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx, 'none');
  const how = await withDataLock(options, 'init-data', ctx, () =>
    initDataRepo({
      dataDir: options.data,
      remote: options.remote,
      config,
      log: ctx.log,
      signal: ctx.signal,
    }),
  );
  // A plain `git clone` of the remote must check out the branch netlog publishes.
  const head = await alignRemoteHead(options.remote, config.git.branch);
  if (head.state === 'set')
    ctx.out(
      `the remote's HEAD now names ${config.git.branch} (was ${head.from}): a plain git clone checks it out`,
    );
  if (head.state === 'hint') ctx.log.warn({ remote: maskUrlCredentials(options.remote) }, head.message);
  ctx.out(
    `${options.data}: ${how} (remote ${maskUrlCredentials(options.remote)}, branch ${config.git.branch}); netlog publish now commits and pushes its CSV files`,
  );
  return ExitCode.ok;
}
