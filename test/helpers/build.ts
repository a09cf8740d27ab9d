import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './es.js';
import { STAMP_FILE, sourceDigest } from '../../scripts/build-stamp.js';

let fresh = false;

/**
 * Throws unless dist/ was built from the sources as they are now: `npm run build` stamps dist/ with the
 * digest of src/ (scripts/build-stamp.ts), and a test that runs the built CLI (or imports from dist/)
 * must never silently test older code. `npm run test:unit` and scripts/test.sh build first.
 */
export function assertFreshBuild(): void {
  if (fresh) return;
  let stamp: string | undefined;
  try {
    stamp = readFileSync(join(ROOT, STAMP_FILE), 'utf8').trim();
  } catch {
    stamp = undefined; // never built, or built before builds were stamped
  }
  if (stamp !== sourceDigest(ROOT))
    throw new Error(
      'dist/ was not built from the current src/ (an edit since the last build, or a build that failed): run npm run build',
    );
  fresh = true;
}
