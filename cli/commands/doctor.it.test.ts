import { describe, expect, inject, it } from 'vitest';
import type { SetupReport } from '../../setup/installer.ts';
import { runCli } from '../../test/run-cli.ts';

const { topology } = inject('stack');

// The integration machine is set up (the stack is up), so doctor finds everything.
describe('windshear doctor --json on this machine', () => {
  it('reports every component with its state, version and path, and the network-fault capability', async () => {
    const r = await runCli(['doctor', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as { components: SetupReport[]; network: string; networkFaults: string };
    expect(d.components.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'java',
        'node',
        'kafka',
        'opensearch',
        'ws-load',
        'ws-netem',
        'debian-packages',
      ]),
    );
    for (const c of d.components) {
      expect(c.state, c.id).toBe('present');
      expect(c.version, c.id).toMatch(/\S/);
      // debian-packages is a set of packages: no one path, each package's version in detail.
      if (c.id === 'debian-packages') expect(c.detail).toMatch(/^(\S+ \S+)(, \S+ \S+)*$/);
      else expect(c.path, c.id).toMatch(/^\//);
    }
    expect(d.network).toBe(topology.network);
    expect(d.networkFaults).toMatch(
      topology.network === 'netns' ? /^available/ : /^unavailable: .*; process faults only$/,
    );
  });
});
