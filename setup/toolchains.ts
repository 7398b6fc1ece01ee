import { exec, onPath } from '../lib/exec.ts';
import type { Installer } from './installer.ts';

function versionAtLeast(found: number[], min: number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const a = found[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function toolchain(
  id: string,
  title: string,
  min: string,
  cmd: string,
  args: string[],
  pattern: RegExp,
  fix: string,
): Installer {
  return {
    id,
    title,
    version: `>= ${min}`,
    fix,
    async detect() {
      const path = await onPath(cmd);
      if (!path) return { ok: false, detail: `${cmd} not on PATH` };
      const r = await exec(cmd, args);
      const m = pattern.exec(`${r.stdout}\n${r.stderr}`);
      const version = m?.[1];
      if (!version) return { ok: false, path, detail: `could not read the version of ${cmd}` };
      const ok = versionAtLeast(version.split('.').map(Number), min.split('.').map(Number));
      return { ok, path, version, ...(ok ? {} : { detail: `${version} is older than ${min}` }) };
    },
  };
}

/** Prerequisites setup does not install itself: each says how to get it. */
export const toolchains: Installer[] = [
  toolchain(
    'java',
    'Java runtime (Kafka 4.x, OpenSearch 2.19)',
    '17',
    'java',
    ['-version'],
    /version "(\d+(?:\.\d+)*)/,
    'apt-get install -y openjdk-17-jre-headless',
  ),
  toolchain(
    'javac',
    'Java compiler (compiles the OpenSearch node launcher, chaos/platforms/local/opensearch)',
    '17',
    'javac',
    ['-version'],
    /javac (\d+(?:\.\d+)*)/,
    'apt-get install -y openjdk-17-jdk-headless',
  ),
  toolchain(
    'maven',
    'Maven (fetches the Kafka and OpenSearch jars)',
    '3.6',
    'mvn',
    ['-v'],
    /Apache Maven (\d+\.\d+(?:\.\d+)?)/,
    'apt-get install -y maven',
  ),
  toolchain(
    'go',
    'Go toolchain (builds k6 from the Go module proxy)',
    '1.25',
    'go',
    ['version'],
    /go(\d+\.\d+(?:\.\d+)?)/,
    'install Go >= 1.25 (https://go.dev/doc/install) and put it on PATH',
  ),
  toolchain(
    'node',
    'Node.js',
    '20.11',
    'node',
    ['--version'],
    /v(\d+\.\d+\.\d+)/,
    'install Node.js 20 LTS or newer',
  ),
];
