// Compile-time checks, run by `npm run typecheck` (tsconfig.json includes test/): commander's option types
// must reach the command modules. If program.ts erased them (`never`, `any`, a hand-written interface),
// the @ts-expect-error lines below would stop being errors and the typecheck would fail.
import type {
  LoadBackfillOptions,
  PlotOptions,
  VerifyOptions,
  WaveletOptions,
} from '../../src/cli/program.js';
import type { run as loadBackfill } from '../../src/cli/commands/load-backfill.js';

declare const backfill: LoadBackfillOptions;
export const concurrency: number = backfill.concurrency;
export const data: string = backfill.data; // a global option, with its default
// @ts-expect-error a flag load-backfill does not declare
export const missing = backfill.concurency;
// @ts-expect-error --tables is parsed into names, not left a string
export const tables: string | undefined = backfill.tables;

declare const plot: PlotOptions;
// @ts-expect-error --resample is one of its choices, not any string
export const step: '2h' = plot.resample;

declare const wavelet: WaveletOptions;
export const threshold: number = wavelet.threshold;

declare const verify: VerifyOptions;
// @ts-expect-error verify has no --force
export const force = verify.force;

// The module's run takes exactly the inferred type (each assignable to the other).
type RunOptions = Parameters<typeof loadBackfill>[0];
export const toRun: RunOptions = backfill;
export const fromRun = (o: RunOptions): LoadBackfillOptions => o;
