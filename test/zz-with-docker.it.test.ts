import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bridgeRuleTag, forwardPolicy } from '../chaos/platforms/local/bridge-firewall.ts';
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
    if (docker && 'stop' in docker) await docker.stop();
  });

  it('up is ready with FORWARD policy DROP and bridge-nf-call-iptables=1, and down removes its rule', async (ctx) => {
    if (!docker || 'error' in docker) {
      ctx.skip(`dockerd cannot run on this machine: ${docker?.error ?? 'not tried'}`);
      return;
    }
    // The conflict is really there when the daemon is Docker's default (iptables on); a daemon
    // found running may have been started with --iptables=false, then up must work all the same.
    const policy = forwardPolicy(await forwardListing());
    if (docker.startedHere) {
      expect(policy).toBe('DROP');
      expect(readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim()).toBe('1');
    } else if (policy !== 'DROP') {
      console.log(
        `[with-docker] dockerd found running with FORWARD policy ${policy}: the DROP case is not exercised`,
      );
    }

    const doctor = await runCli(['doctor', '--json']);
    const checks = (JSON.parse(doctor.stdout) as { checks: { id: string; ok: boolean; detail: string }[] })
      .checks;
    expect(checks.find((c) => c.id === 'bridge-forward')).toMatchObject({
      ok: true,
      ...(policy === 'DROP'
        ? { detail: expect.stringContaining('FORWARD policy DROP with bridge-nf-call-iptables=1') }
        : {}),
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

    const down = await runCli(['down', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(await forwardListing()).not.toContain(TAG);
    expect(await wsNamespaces()).toEqual([]);
  });
});
