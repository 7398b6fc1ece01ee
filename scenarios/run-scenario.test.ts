import { describe, expect, it } from 'vitest';
import { recordingPlatform } from '../chaos/fakes/recording-platform.ts';
import { loadScenario } from './load-scenario.ts';
import { planRun } from './plan.ts';
import { preflightProblems, runScenario } from './run-scenario.ts';

describe('runScenario refuses before anything starts', () => {
  it('names every capability a scenario needs that the platform lacks', async () => {
    const { scenario } = await loadScenario('network-partition');
    const plan = planRun(scenario, { profile: 'ci', seed: 1 });
    const platform = recordingPlatform({
      capabilities: { networkFaults: false, azOutage: false, missing: { networkFaults: 'not root' } },
    });
    const problems = preflightProblems(plan, scenario, platform);
    expect(problems.map((p) => p.code)).toContain('missing-capability');
    expect(problems[0]?.message).toContain('not root');
  });

  it('passes a process-fault scenario on a platform that can do process faults', async () => {
    const { scenario } = await loadScenario('broker-loss');
    const plan = planRun(scenario, { profile: 'ci', seed: 1 });
    expect(preflightProblems(plan, scenario, recordingPlatform())).toEqual([]);
  });

  it('rejects an unknown scenario as bad input (254) without touching the platform', async () => {
    const platform = recordingPlatform({ topology: null });
    await expect(
      runScenario({ scenario: 'no-such-scenario', profile: 'ci', platform }),
    ).rejects.toMatchObject({
      exitCode: 254,
    });
    expect(platform.calls).toEqual([]);
  });
});
