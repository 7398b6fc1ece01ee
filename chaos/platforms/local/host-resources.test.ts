import { describe, expect, it } from 'vitest';
import { hostResourceProblems, NEEDS } from './host-resources.ts';

const MiB = 1024 * 1024;

describe('hostResourceProblems', () => {
  it('passes a host with what the profile needs', () => {
    const host = {
      availableMemoryBytes: NEEDS.ci.memoryMiB * MiB,
      freeDiskBytes: NEEDS.ci.diskMiB * MiB,
      diskPath: '/var/lib',
    };
    expect(hostResourceProblems('ci', host)).toEqual([]);
  });

  it('names what is short, by how much, and the fix', () => {
    const host = { availableMemoryBytes: 3000 * MiB, freeDiskBytes: 100 * MiB, diskPath: '/var/lib' };
    const problems = hostResourceProblems('full', host);
    expect(problems.map((p) => p.code)).toEqual(['low-memory', 'low-disk']);
    expect(problems[0]!.message).toBe(
      `the full profile needs ${NEEDS.full.memoryMiB} MiB of available memory; this machine has 3000 MiB`,
    );
    expect(problems[0]!.fix).toContain('--profile ci');
    expect(problems[1]!.message).toContain('(/var/lib); there are 100 MiB');
    expect(problems[1]!.fix).toContain('WINDSHEAR_STATE');
  });
});
