import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/paths.ts';
import type { RunEnvironment } from '../lib/run-format.ts';
import { VERSIONS } from '../setup/versions.ts';

function tryRun(cmd: string, args: string[]): string | null {
  try {
    return (
      execFileSync(cmd, args, {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5000,
      }).trim() || null
    );
  } catch {
    return null;
  }
}

/** First line of `<cmd> --version`-like output, or `unknown`. */
function versionOf(cmd: string, args: string[], pattern: RegExp): string {
  const out = tryRun(cmd, args);
  return out?.match(pattern)?.[1] ?? 'unknown';
}

/** Versions of the components a run used: pinned ones from setup/versions.ts, the rest asked. */
export function componentVersions(): RunEnvironment['components'] {
  return [
    { name: 'kafka', version: VERSIONS.kafka },
    { name: 'opensearch', version: VERSIONS.opensearchRunner },
    { name: 'ws-load (vegeta)', version: VERSIONS.vegeta },
    { name: 'redis', version: versionOf('redis-server', ['--version'], /v=(\S+)/) },
    { name: 'postgresql', version: versionOf('psql', ['--version'], /(\d+(?:\.\d+)+)/) },
    { name: 'haproxy', version: versionOf('haproxy', ['-v'], /version (\S+)/) },
  ];
}

function windshearVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** environment.json: what ran where, so two runs can be compared fairly. */
export function collectEnvironment(platform: string, seed: number, scale: number): RunEnvironment {
  return {
    windshear: windshearVersion(),
    commit: tryRun('git', ['rev-parse', 'HEAD']),
    node: process.version,
    platform,
    machine: { cpus: cpus().length, memoryBytes: totalmem(), kernel: `${type()} ${release()}` },
    components: componentVersions(),
    seed,
    scale,
  };
}
