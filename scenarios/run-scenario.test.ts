import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingPlatform } from '../chaos/fakes/recording-platform.ts';
import { CATALOG_DIR, loadScenario } from './load-scenario.ts';
import { planRun } from './plan.ts';
import { preflightProblems, runScenario } from './run-scenario.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

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

  it('checks selectors against the stack that is up, whatever profile it was brought up for', async () => {
    const { scenario } = await loadScenario('broker-loss');
    const plan = planRun(scenario, { profile: 'nightly', seed: 1 });
    const planned = {
      ...plan,
      faults: plan.faults.map((f) => ({ ...f, selector: 'name:search-api-a2' })),
    };
    const problems = preflightProblems(planned, scenario, recordingPlatform());
    expect(problems.map((p) => p.code)).toEqual(['selector-outside-topology']);
    expect(problems[0]?.message).toMatch(
      /^fault kill-most-leaders: .*in the ci topology, the stack that is up$/,
    );
    expect(problems[0]?.fix).toContain('search-api-a1');
  });

  it('rejects a scenario whose selector names what the profile lacks (254) before touching the platform', async () => {
    const platform = recordingPlatform({ topology: null });
    const dir = await mkdtemp(join(tmpdir(), 'ws-sel-'));
    dirs.push(dir);
    const file = join(dir, 'x.yaml');
    const text = (await readFile(join(CATALOG_DIR, 'broker-loss.yaml'), 'utf8')).replace(
      'kafka:most-leaders(topic=reservations.commands)',
      'name:search-api-a2',
    );
    await writeFile(file, text);
    await expect(runScenario({ scenario: file, profile: 'ci', platform })).rejects.toMatchObject({
      exitCode: 254,
      problems: [expect.objectContaining({ code: 'selector-outside-topology', path: 'faults[0].target' })],
    });
    expect(platform.calls).toEqual([]);
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
