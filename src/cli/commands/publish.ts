import { ExitCode } from '../../errors.js';
import { publishData } from '../../publish/publish.js';
import { describePublish } from '../../publish/publish-result.js';
import { withDataLock } from '../data-lock.js';
import { loadCommandConfig, recordDataPackage } from '../command-config.js';
import type { CommandContext } from '../context.js';
import type { PublishOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = PublishOptions;

/**
 * `netlog publish`: commit changed day files (and datapackage.json, README.md, which describe them)
 * and push; commits left by earlier failed pushes go too.
 * Exit 0 when the remote has everything, 1 when commits are kept locally for the next run.
 */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx, 'write');
  return withDataLock(options, 'publish', ctx, async () => {
    await recordDataPackage(options.data, config, ctx);
    const result = await publishData({ dataDir: options.data, config, log: ctx.log, signal: ctx.signal });
    for (const line of describePublish(result)) ctx.out(line);
    return result.pushed ? ExitCode.ok : ExitCode.runtime;
  });
}
