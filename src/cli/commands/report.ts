import { readFile } from 'node:fs/promises';
import { ExitCode } from '../../errors.js';
import { buildReport } from '../../analysis/report-content.js';
import { badBeaconsFile } from '../../analysis/report-beacons.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { loadForAnalysis } from '../analysis-setup.js';
import type { CommandContext } from '../context.js';
import type { ReportOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = ReportOptions;

/** `netlog report`: one self-contained HTML file with every table's charts, anomalies and completeness. */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const { config, days, loaded } = await loadForAnalysis(options, options.tables, ctx, 'any');
  const beaconsFile =
    options.beacons === undefined
      ? undefined
      : { name: options.beacons, text: await readBeacons(options.beacons) };
  const report = await buildReport({
    loaded,
    config,
    days,
    now: ctx.now,
    ...(beaconsFile !== undefined && { beaconsFile }),
  });
  await writeFileAtomic(options.out, report.html);
  ctx.log.info({ tables: report.tables, anomalies: report.anomalies, days: days.length }, 'report written');
  ctx.out(
    `report written to ${options.out} (${report.tables} tables, ${report.anomalies} anomalies, ${days.length} days)`,
  );
  return ExitCode.ok;
}

async function readBeacons(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw badBeaconsFile(file, `cannot read it (${(cause as NodeJS.ErrnoException).code})`, cause);
  }
}
