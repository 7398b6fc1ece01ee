/**
 * `npm run compose:images [-- --profile ci --base debian:bookworm-slim]`: builds the images.
 * `npm run compose:generate`: writes compose/compose.yaml from the topology.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WindshearError } from '../../../lib/errors.ts';
import { REPO_ROOT } from '../../../lib/paths.ts';
import { PROFILES, type Profile } from '../../../system/topology.ts';
import { composeFile } from './compose-file.ts';
import { composeTopology } from './compose-topology.ts';
import { buildImages } from './image-builder.ts';

export const COMPOSE_FILE = join(REPO_ROOT, 'compose', 'compose.yaml');

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { profile: { type: 'string', default: 'ci' }, base: { type: 'string' } },
  });
  const profile = values.profile as Profile;
  if (!PROFILES.includes(profile)) throw new Error(`--profile must be one of ${PROFILES.join(', ')}`);
  const log = (l: string) => process.stdout.write(`${l}\n`);
  if (positionals[0] === 'generate') {
    writeFileSync(COMPOSE_FILE, composeFile(composeTopology('ci')));
    log(`wrote ${COMPOSE_FILE}`);
    return 0;
  }
  if (positionals[0] === 'images') {
    const started = Date.now();
    const built = await buildImages({ profile, ...(values.base ? { base: values.base } : {}), log });
    const n = built.filter((b) => b.state === 'built').length;
    log(`images: ${n} built, ${built.length - n} cached, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  log('usage: compose-cli.ts images [--profile ci] [--base IMAGE] | generate');
  return 254;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof WindshearError) {
      for (const p of err.problems)
        process.stderr.write(`${p.code}: ${p.message}${p.fix ? `\n  fix: ${p.fix}` : ''}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(255);
  },
);
