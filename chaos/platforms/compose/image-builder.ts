import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { WindshearError } from '../../../lib/errors.ts';
import { exec } from '../../../lib/exec.ts';
import { cacheDir, REPO_ROOT } from '../../../lib/paths.ts';
import { kafkaHome, opensearchHome } from '../../../setup/maven.ts';
import type { Profile } from '../../../system/topology.ts';
import { opensearchNodeClasses } from '../local/opensearch/opensearch-node-classes.ts';
import { composeTopology } from './compose-topology.ts';
import { type ContextSource, contentKey, type ImageSpec, imagePlan, imageRef } from './image-plan.ts';

/** The base made from Debian's packages when no `base` is given (no registry pull). */
export const DEBOOTSTRAP_BASE = 'windshear/base:bookworm';
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

export const composeCacheDir = () => join(cacheDir(), 'compose');

export interface BuildImagesOptions {
  profile: Profile;
  /** A base image to build on instead of the debootstrap one, e.g. `debian:bookworm-slim`. */
  base?: string;
  log: (line: string) => void;
}

export interface BuiltImage {
  ref: string;
  key: string;
  state: 'cached' | 'built';
  ms: number;
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

async function docker(args: string[], log?: (l: string) => void, timeoutMs = 1_800_000) {
  return exec('docker', args, {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    timeoutMs,
    ...(log ? { onLine: log } : {}),
  });
}

async function imageId(ref: string): Promise<string | null> {
  const r = await docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

async function requireDaemon(): Promise<void> {
  const r = await docker(['version', '--format', '{{.Server.APIVersion}}'], undefined, 20_000);
  if (r.exitCode !== 0) {
    throw new WindshearError({
      code: 'docker-unreachable',
      message: `no Docker daemon answers: ${(r.stderr || r.stdout).trim().slice(0, 200)}`,
      fix: 'apt-get install -y docker.io && dockerd --iptables=false & (compose/README.md)',
    });
  }
}

/** `windshear/base:bookworm` from Debian's packages: debootstrap minbase, then `docker import`. */
async function debootstrapBase(log: (l: string) => void): Promise<string> {
  const existing = await imageId(DEBOOTSTRAP_BASE);
  if (existing) return existing;
  const root = join(composeCacheDir(), `rootfs-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(dirname(root), { recursive: true });
  log(`base: debootstrap --variant=minbase bookworm (about 35 s)`);
  try {
    const d = await exec('debootstrap', ['--variant=minbase', 'bookworm', root, DEBIAN_MIRROR], {
      timeoutMs: 900_000,
    });
    if (d.exitCode !== 0) {
      throw new WindshearError({
        code: 'debootstrap-failed',
        message: `debootstrap failed (exit ${d.exitCode}): ${(d.stderr || d.stdout).slice(-400)}`,
        fix: 'apt-get install -y debootstrap (as root); or pass --base debian:bookworm-slim where a registry is reachable',
      });
    }
    log(`base: docker import ${DEBOOTSTRAP_BASE}`);
    const i = await exec(
      'sh',
      ['-c', 'tar -C "$1" -c . | docker import - "$2"', 'sh', root, DEBOOTSTRAP_BASE],
      {
        timeoutMs: 600_000,
      },
    );
    if (i.exitCode !== 0) throw new Error(`docker import failed: ${i.stderr.slice(-400)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const id = await imageId(DEBOOTSTRAP_BASE);
  if (!id) throw new Error(`${DEBOOTSTRAP_BASE} missing after import`);
  return id;
}

/** The services image's programs: name in /opt/windshear → source. */
export const APP_ENTRIES: Record<string, string> = {
  'system-main': join(REPO_ROOT, 'system', 'main.ts'),
  'compose-bootstrap': join(REPO_ROOT, 'chaos', 'platforms', 'compose', 'compose-bootstrap.ts'),
};

/**
 * The services image's programs as self-contained ES modules: packages bundled too, so the
 * image needs no node_modules. Returns file name → path.
 */
export async function bundleForImages(outdir: string): Promise<Record<string, string>> {
  await build({
    entryPoints: APP_ENTRIES,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    keepNames: true,
    logLevel: 'silent',
    // CommonJS packages inside an ES module still call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __wsRequire } from 'node:module'; const require = __wsRequire(import.meta.url);",
    },
  });
  return Object.fromEntries(Object.keys(APP_ENTRIES).map((n) => [`${n}.mjs`, join(outdir, `${n}.mjs`)]));
}

function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory()) out.push(...listTree(join(dir, e.name), `${rel}/`));
    else out.push(`${rel} ${statSync(join(dir, e.name)).size}`);
  }
  return out;
}

/** Texts and files by content; directories of versioned jars by names and sizes. */
export function digestSource(s: ContextSource): string {
  if ('text' in s) return sha(s.text);
  if ('file' in s) return sha(readFileSync(s.file));
  return sha(listTree(s.dir).join('\n'));
}

function placeFile(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function placeTree(from: string, to: string): void {
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) placeTree(join(from, e.name), join(to, e.name));
    else placeFile(join(from, e.name), join(to, e.name));
  }
}

/** Lays a context out under the cache: generated texts written, cached files hard-linked. */
export function stageContext(spec: ImageSpec, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, s] of Object.entries(spec.files)) {
    const to = join(dir, path);
    if ('dir' in s) {
      placeTree(s.dir, to);
      continue;
    }
    mkdirSync(dirname(to), { recursive: true });
    if ('text' in s) writeFileSync(to, s.text);
    else copyFileSync(s.file, to);
    if (s.mode !== undefined) chmodSync(to, s.mode);
  }
}

/**
 * Builds every image of a profile, each only when its content key changed: the base (from
 * Debian's packages unless `base` is given), then one image per component kind, tagged
 * `windshear/<kind>:<key>` and `windshear/<kind>:<profile>` (the tag compose.yaml names).
 */
export async function buildImages(opts: BuildImagesOptions): Promise<BuiltImage[]> {
  const log = opts.log;
  await requireDaemon();
  const baseRef = opts.base ?? DEBOOTSTRAP_BASE;
  const baseId = opts.base ? `ref:${opts.base}` : await debootstrapBase(log);
  const appFiles = await bundleForImages(join(composeCacheDir(), 'bundle'));
  const opensearchLibs = join(opensearchHome(), 'libs');
  const plan = imagePlan(composeTopology(opts.profile), {
    imagesDir: join(REPO_ROOT, 'compose', 'images'),
    kafkaLibs: join(kafkaHome(), 'libs'),
    opensearchLibs,
    opensearchClasses: await opensearchNodeClasses(opensearchLibs),
    nodeBinary: process.execPath,
    appFiles,
    schemaFile: join(REPO_ROOT, 'system', 'db', 'schema.sql'),
  });
  const built: BuiltImage[] = [];
  for (const [i, spec] of plan.entries()) {
    const started = Date.now();
    const key = sha(contentKey(spec, baseId, digestSource)).slice(0, 16);
    const ref = imageRef(spec.kind, opts.profile);
    const keyed = `${spec.repository}:${key}`;
    const head = `[${i + 1}/${plan.length}] ${ref}`;
    if (await imageId(keyed)) {
      await docker(['tag', keyed, ref]);
      built.push({ ref, key, state: 'cached', ms: Date.now() - started });
      log(`${head}: cached (${key})`);
      continue;
    }
    const ctx = join(composeCacheDir(), 'context', spec.kind);
    stageContext(spec, ctx);
    log(`${head}: building (${key})`);
    const r = await docker(
      [
        'build',
        // RUN steps reach Debian's mirror through the host's network: no NAT rules needed.
        '--network',
        'host',
        '--build-arg',
        `BASE=${baseRef}`,
        '--label',
        `windshear.content=${key}`,
        '-t',
        keyed,
        '-t',
        ref,
        ctx,
      ],
      (l) => {
        if (/^Step \d+\/\d+ :/.test(l)) log(`    ${l.slice(0, 110)}`);
      },
    );
    if (r.exitCode !== 0) {
      throw new WindshearError({
        code: 'image-build-failed',
        message: `docker build of ${ref} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).slice(-800)}`,
        fix: `read the output above; the context is in ${ctx}`,
      });
    }
    built.push({ ref, key, state: 'built', ms: Date.now() - started });
    log(`${head}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return built;
}
