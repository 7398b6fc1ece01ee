import { existsSync, readFileSync } from 'node:fs';
import { exec, isRoot, onPath, waitFor } from '../../../lib/exec.ts';
import { forwardPolicy } from '../local/bridge-firewall.ts';
import { isAlive, launch, signalGroup } from '../local/processes.ts';

export interface Dockerd {
  /** Started by this helper (and stopped by `stop`), or found running (left alone). */
  startedHere: boolean;
  /** Stops what this helper started and puts back the FORWARD policy and docker0 as they were. */
  stop(): Promise<void>;
}

const policyNow = async () => forwardPolicy((await exec('iptables', ['-w', '5', '-S', 'FORWARD'])).stdout);
const linkExists = async (name: string) => (await exec('ip', ['link', 'show', name])).exitCode === 0;
const dockerdRunning = async () => (await exec('pgrep', ['-x', 'dockerd'])).exitCode === 0;

/**
 * The daemon flags of the compose platform: without --iptables=false dockerd sets the FORWARD
 * policy to DROP, which drops the local platform's traffic across ws-br0 (compose/README.md).
 */
export const COMPOSE_DOCKERD_ARGS = ['--iptables=false'] as const;

/**
 * Makes sure a Docker daemon runs, as on most SRE machines, or says why it cannot (then the
 * caller skips). Only a daemon started here is stopped again: it must not outlive its user
 * (a test, `setup --platform compose`), since its FORWARD policy would then break any other
 * stack on the machine. `args` go to dockerd (e.g. COMPOSE_DOCKERD_ARGS).
 */
export async function startDockerd(
  log: string,
  args: readonly string[] = [],
): Promise<Dockerd | { error: string }> {
  if (await dockerdRunning()) return { startedHere: false, stop: async () => {} };
  if (!isRoot()) return { error: 'not root: dockerd needs root' };
  if (!(await onPath('dockerd'))) return { error: 'dockerd is not installed (apt-get install -y docker.io)' };
  const policyBefore = await policyNow();
  const docker0Before = await linkExists('docker0');
  const pid = launch({
    argv: ['dockerd', ...args],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    netns: null,
    user: null,
    cwd: '/',
    log,
  });
  const stop = async () => {
    signalGroup(pid, 'SIGTERM');
    if (!(await waitFor(async () => !isAlive(pid), 30_000, 200))) signalGroup(pid, 'SIGKILL');
    await waitFor(async () => !isAlive(pid), 5000, 100);
    if (policyBefore && (await policyNow()) !== policyBefore)
      await exec('iptables', ['-w', '5', '-P', 'FORWARD', policyBefore]);
    if (!docker0Before && (await linkExists('docker0'))) await exec('ip', ['link', 'del', 'docker0']);
  };
  const ready = await waitFor(
    async () =>
      !isAlive(pid)
        ? 'exited'
        : (await exec('docker', ['info'], { timeoutMs: 10_000 })).exitCode === 0
          ? 'up'
          : null,
    60_000,
    500,
  );
  if (ready !== 'up') {
    await stop();
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
    return {
      error: `dockerd ${ready === 'exited' ? 'exited' : 'did not answer within 60 s'}: ${tail} (log ${log})`,
    };
  }
  return { startedHere: true, stop };
}
