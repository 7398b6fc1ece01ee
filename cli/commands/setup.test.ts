import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Problem } from '../../lib/errors.ts';
import type { SetupReport } from '../../setup/installer.ts';
import { networkFaultsStatus, register } from './setup.ts';

// Doctor's view of the host, injected: root or not, what detection found, what preflight found
// (its checks ask the machine: ports, memory, who can enter which directory).
const host = vi.hoisted(() => ({
  root: true,
  reports: [] as SetupReport[],
  preflight: {
    stateDir: '/var/lib/windshear/windshear-0123abcd',
    stateDirSource: 'system',
    checks: [] as { id: string; ok: boolean; detail: string }[],
    problems: [] as Problem[],
  },
}));
vi.mock('../../lib/exec.ts', async (orig) => ({
  ...(await orig<typeof import('../../lib/exec.ts')>()),
  isRoot: () => host.root,
}));
vi.mock('../../setup/run-setup.ts', () => ({ runSetup: async () => host.reports }));
vi.mock('../../chaos/platforms/local/preflight.ts', () => ({ preflight: async () => host.preflight }));

const JAVA: SetupReport = {
  id: 'java',
  title: 'Java',
  state: 'present',
  version: '17.0.15',
  path: '/usr/bin/java',
  ms: 1,
};

async function doctorJson(): Promise<{
  network: string;
  networkFaults: string;
  components: SetupReport[];
  stateDir: string;
  problems: Problem[];
}> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  vi.spyOn(console, 'log').mockImplementation((s: string) => {
    out += s;
  });
  await program.parseAsync(['node', 'windshear', 'doctor', '--json']);
  return JSON.parse(out);
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
  host.preflight.problems = [];
});

describe('windshear doctor', () => {
  it('says network faults need root, namespaces and nft', () => {
    expect(networkFaultsStatus({ root: true, network: 'netns', nft: true })).toMatch(/^available/);
    expect(networkFaultsStatus({ root: false, network: 'loopback', nft: true })).toBe(
      'unavailable: not root, the stack runs on loopback addresses; process faults only',
    );
    // WINDSHEAR_NETWORK=netns cannot make namespaces without root.
    expect(networkFaultsStatus({ root: false, network: 'netns', nft: true })).toMatch(
      /^unavailable: not root/,
    );
    expect(networkFaultsStatus({ root: true, network: 'loopback', nft: true })).toMatch(
      /unavailable: WINDSHEAR_NETWORK=loopback/,
    );
    expect(networkFaultsStatus({ root: true, network: 'netns', nft: false })).toMatch(
      /unavailable: nft missing/,
    );
  });

  it('--json as non-root reports loopback and network faults unavailable', async () => {
    vi.stubEnv('WINDSHEAR_NETWORK', undefined);
    host.root = false;
    host.reports = [JAVA];
    const d = await doctorJson();
    expect(d.network).toBe('loopback');
    expect(d.networkFaults).toMatch(/^unavailable: not root.*process faults only$/);
    expect(d.components).toEqual([JAVA]);
    expect(process.exitCode).toBeUndefined();
  });

  it('exits 255 when a component is missing, and says how to fix it', async () => {
    host.root = true;
    host.reports = [JAVA, { id: 'k6', title: 'k6', state: 'missing', ms: 1, fix: 'windshear setup' }];
    const d = await doctorJson();
    expect(d.components.find((c) => c.id === 'k6')).toMatchObject({
      state: 'missing',
      fix: 'windshear setup',
    });
    expect(process.exitCode).toBe(255);
  });

  it('exits 255 with what preflight found: the directory, the user, the permission and the fix', async () => {
    host.root = true;
    host.reports = [JAVA];
    const problem: Problem = {
      code: 'dir-not-traversable',
      message: 'user postgres cannot enter /tmp/ws-fresh.x (mode 0700 root:root; …)',
      fix: '`chmod o+x /tmp/ws-fresh.x` (…), or unset WINDSHEAR_STATE',
    };
    host.preflight.problems = [problem];
    const d = await doctorJson();
    expect(d.stateDir).toBe('/var/lib/windshear/windshear-0123abcd');
    expect(d.problems).toEqual([problem]);
    expect(process.exitCode).toBe(255);
  });
});
