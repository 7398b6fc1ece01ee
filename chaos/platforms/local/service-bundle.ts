import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../../../lib/paths.ts';

/**
 * Where `up` writes the services' JavaScript: inside the checkout, so the bundle's imports of
 * packages resolve to the checkout's node_modules like the TypeScript did.
 */
export const SERVICE_BUNDLE = join(REPO_ROOT, '.windshear', 'build', 'system-main.mjs');

/**
 * Compiles `system/main.ts` and everything of system/ it imports into one ES module, once per
 * `up`, so the 15 service processes start plain JavaScript instead of each loading the
 * TypeScript loader and compiling the same files (issue 13: memory and start-up per process).
 * Packages stay imports (`packages: 'external'`); nothing is minified, so stack traces in the
 * services' logs still read as the source. Takes ~0.2 s.
 */
export async function bundleServices(outfile = SERVICE_BUNDLE): Promise<{ file: string; ms: number }> {
  const started = Date.now();
  await build({
    entryPoints: [join(REPO_ROOT, 'system', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    logLevel: 'silent',
  });
  return { file: outfile, ms: Date.now() - started };
}
