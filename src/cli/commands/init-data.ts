import { ExitCode } from '../../errors.js';
import { initDataRepo } from '../../publish/git.js';
import { loadCommandConfig } from '../setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

/** `netlog init-data --remote URL`: the data directory becomes a working copy of the analysts' repository. */
export async function run(options: GlobalOptions & { remote: string }, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx);
  const how = await initDataRepo({ dataDir: options.data, remote: options.remote, config, log: ctx.log });
  ctx.out(
    `${options.data}: ${how} (remote ${options.remote}, branch ${config.git.branch}); netlog publish now commits and pushes its CSV files`,
  );
  return ExitCode.ok;
}
