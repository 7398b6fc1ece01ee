import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bridgeRuleTag,
  forwardPolicy,
  manualAcceptCommand,
  taggedRuleDeletes,
} from '../chaos/platforms/local/bridge-firewall.ts';
import type { ComponentStatus } from '../chaos/platforms/platform.ts';
import { platformFor } from '../chaos/platforms/platform-for.ts';
import { exec, isRoot } from '../lib/exec.ts';
import { stateDir } from '../lib/paths.ts';
import { runCli } from './run-cli.ts';
import { type Dockerd, startDockerd } from './start-dockerd.ts';

// Runs last (test/sequencer.ts: zz-*, by name): it needs the machine's one stack slot, and a
// Docker daemon that must not run while any other stack does. Measured before the fix: with
// dockerd up, `up` failed after 60 s ("redis: replicas linked and Sentinels agreeing not ready").
const { startedByTests } = inject('stack');
const TAG = bridgeRuleTag('ws-br0');

let docker: Dockerd | { error: string } | null = null;
let policyBefore: string | null = null;

/** Can a process in az-a open a TCP connection to `address` (host:port) across the bridge? */
const reachableFromAzA = async (address: string) => {
  const [host, port] = address.split(':');
  const r = await exec('timeout', [
    '3',
    'ip',
    'netns',
    'exec',
    'ws-az-a',
    'bash',
    '-c',
    `</dev/tcp/${host}/${port}`,
  ]);
  return r.exitCode === 0;
};

const forwardListing = async () => (await exec('iptables', ['-w', '5', '-S', 'FORWARD'])).stdout;
const wsNamespaces = async () =>
  (await exec('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith('ws-'));

describe.skipIf(!isRoot())('the local platform beside a running Docker daemon', () => {
  beforeAll(async () => {
    if (startedByTests) await (await platformFor('local')).down();
    docker = await startDockerd(join(stateDir(), 'test-dockerd.log'));
  });

  afterAll(async () => {
    // Whatever happened: no stack, then no daemon this file started.
    await runCli(['down', '--force']);
    if (policyBefore && policyBefore !== 'DROP')
      await exec('iptables', ['-w', '5', '-P', 'FORWARD', policyBefore]);
    if (docker && 'stop' in docker) await docker.stop();
  });

  it("up is ready with Docker's FORWARD policy DROP and bridge-nf-call-iptables=1, its rule is what carries traffic between AZs, and down removes it", async (ctx) => {
    if (!docker || 'error' in docker) {
      ctx.skip(`dockerd cannot run on this machine: ${docker?.error ?? 'not tried'}`);
      return;
    }
    // Docker sets the FORWARD policy to DROP when it turns on ip_forward itself (a fresh machine,
    // as measured); where ip_forward was already on it leaves ACCEPT. Put Docker's DROP in place
    // either way, as on that fresh machine; afterAll restores the policy.
    policyBefore = forwardPolicy(await forwardListing());
    if (policyBefore !== 'DROP') await exec('iptables', ['-w', '5', '-P', 'FORWARD', 'DROP']);
    expect(readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim()).toBe('1');

    const doctor = await runCli(['doctor', '--json']);
    const checks = (JSON.parse(doctor.stdout) as { checks: { id: string; ok: boolean; detail: string }[] })
      .checks;
    expect(checks.find((c) => c.id === 'bridge-forward')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('FORWARD policy DROP with bridge-nf-call-iptables=1'),
    });

    const up = await runCli(['up', '--profile', 'ci', '--json'], { timeoutMs: 600_000 });
    expect(up.code, `${up.stderr}\n${up.stdout.slice(-2000)}`).toBe(0);
    console.log(`[with-docker] up in ${(up.ms / 1000).toFixed(1)} s with dockerd running`);
    expect(await forwardListing()).toContain(TAG);

    const status = await runCli(['status', '--json', '--platform', 'local']);
    expect(status.code, status.stderr).toBe(0);
    const rows = (JSON.parse(status.stdout) as { components: ComponentStatus[] }).components;
    expect(rows.filter((r) => r.health !== 'healthy').map((r) => `${r.name} ${r.health}`)).toEqual([]);
    expect(
      rows
        .filter((r) => r.kind === 'redis')
        .map((r) => r.role)
        .sort(),
    ).toEqual(['primary', 'replica', 'replica']);

    // The rule is what lets AZs talk: without it the same connection is dropped, and doctor says so.
    const redisB = rows.find((r) => r.kind === 'redis' && r.az === 'az-b')!.address;
    expect(await reachableFromAzA(redisB)).toBe(true);
    for (const argv of taggedRuleDeletes(await forwardListing(), 'ws-br0')) await exec('iptables', argv);
    expect(await reachableFromAzA(redisB)).toBe(false);
    const conflict = await runCli(['doctor', '--json']);
    expect(
      (JSON.parse(conflict.stdout) as { problems: { code: string; fix: string }[] }).problems,
    ).toContainEqual({
      code: 'bridge-forward-dropped',
      message: expect.stringContaining('traffic between AZs across ws-br0 is dropped'),
      fix: expect.stringContaining(manualAcceptCommand('ws-br0')),
    });
    await exec('iptables', manualAcceptCommand('ws-br0').split(' ').slice(1));
    expect(await reachableFromAzA(redisB)).toBe(true);

    const down = await runCli(['down', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(await forwardListing()).not.toContain(TAG);
    expect(await wsNamespaces()).toEqual([]);
  });
});
