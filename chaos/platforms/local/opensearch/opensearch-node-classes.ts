import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../../../../lib/exec.ts';
import { cacheDir, REPO_ROOT } from '../../../../lib/paths.ts';

/** The node launcher, kept in the repo as source only. */
export const OPENSEARCH_NODE_SOURCE = join(
  REPO_ROOT,
  'chaos',
  'platforms',
  'local',
  'opensearch',
  'WsOpenSearchNode.java',
);
export const OPENSEARCH_NODE_MAIN = 'WsOpenSearchNode';

let compiling: Promise<string> | null = null;

/**
 * The directory holding WsOpenSearchNode.class, compiled from the source by javac once per
 * version of the source (keyed by its hash) into the tool cache. Java's single-file source
 * launcher would compile it again at every node start: ~1.8 CPU-s each, 13 s of wall time per
 * node measured on this 2-core machine under load, three times per `up` and again at every
 * restart after a fault.
 */
export function opensearchNodeClasses(runnerLibs: string): Promise<string> {
  compiling ??= compile(runnerLibs).finally(() => {
    compiling = null;
  });
  return compiling;
}

async function compile(runnerLibs: string): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(OPENSEARCH_NODE_SOURCE)).digest('hex').slice(0, 12);
  const dir = join(cacheDir(), 'ws-opensearch-node', hash);
  if (existsSync(join(dir, `${OPENSEARCH_NODE_MAIN}.class`))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = await exec('javac', ['-cp', `${runnerLibs}/*`, '-d', tmp, OPENSEARCH_NODE_SOURCE], {
    timeoutMs: 120_000,
  });
  if (r.exitCode !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`javac ${OPENSEARCH_NODE_SOURCE} failed: ${(r.stderr || r.stdout).slice(-600)}`);
  }
  // Another checkout may have compiled the same source meanwhile: either copy is the same.
  if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
  else renameSync(tmp, dir);
  return dir;
}
