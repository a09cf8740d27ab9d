import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The digest of everything `npm run build` compiles (src/, the two tsconfig files and the bundle
 * script), written to dist/.source-digest after a successful build. The tests that run the built CLI
 * compare it with the digest of the sources as they are now (test/helpers/build.ts), so they can never
 * test a stale dist/.
 *
 *   node --import tsx scripts/build-stamp.ts   # run by npm run build, after tsc succeeded
 */

export const STAMP_FILE = 'dist/.source-digest';

/** SHA-256 over the relative path and bytes of every build input, in a fixed order. */
export function sourceDigest(root: string): string {
  const files = ['tsconfig.json', 'tsconfig.build.json', 'scripts/bundle.ts'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('src');
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    const bytes = readFileSync(join(root, file));
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  writeFileSync(join(root, STAMP_FILE), `${sourceDigest(root)}\n`);
}
