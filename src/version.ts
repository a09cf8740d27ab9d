import { createRequire } from 'node:module';

/** Set by scripts/bundle.ts in dist/bundle/, which does not lie where package.json is one level up. */
declare const NETLOG_BUNDLED_VERSION: string | undefined;

/** netlog's version: package.json's (one level above src/ and dist/ alike), or the bundle's copy of it. */
export const NETLOG_VERSION: string =
  typeof NETLOG_BUNDLED_VERSION === 'string'
    ? NETLOG_BUNDLED_VERSION
    : (createRequire(import.meta.url)('../package.json') as { version: string }).version;
