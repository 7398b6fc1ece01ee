import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../chaos/platforms/platform.ts';
import { loadCatalog, loadScenario } from './load-scenario.ts';
import { planRun } from './plan.ts';
import { CI_LOAD_BUDGET_SEC, PROFILES, profileScenarios } from './profiles.ts';
import { missingCapabilities, requiredCapabilities } from './required-capabilities.ts';

describe('planRun', () => {
  it('plans broker-loss in ci: phases, fault, scaled rates, raw load for k6', async () => {
    const { scenario } = await loadScenario('broker-loss');
    expect(planRun(scenario, { profile: 'ci', seed: 7 })).toEqual({
      scenario: 'broker-loss',
      profile: 'ci',
      scale: 0.01,
      seed: 7,
      phases: [
        { phase: 'baseline', atSec: 0 },
        { phase: 'fault', atSec: 20 },
        { phase: 'recovery', atSec: 45 },
        { phase: 'after', atSec: 70 },
        { phase: 'drain', atSec: 75 },
      ],
      faults: [
        {
          id: 'kill-most-leaders',
          fault: 'kill',
          selector: 'kafka:most-leaders(topic=reservations.commands)',
          atSec: 20,
          forSec: 25,
        },
      ],
      k6: { load: { preset: 'baseline', durationSec: 75, rate: 2000 } },
      ledger: { reservationsPerSec: 10, fareUpdatesPerSec: 5 },
      supplierFeedPerSec: 100,
      durationSec: 75,
    });
  });

  it('stretches the timeline in nightly but keeps fault lengths', async () => {
    const { scenario } = await loadScenario('broker-loss');
    const plan = planRun(scenario, { profile: 'nightly', seed: 1 });
    expect(plan.scale).toBe(PROFILES.nightly.scale);
    expect(plan.durationSec).toBe(300);
    expect(plan.faults[0]).toMatchObject({ atSec: 80, forSec: 25 });
    expect(plan.phases.map((p) => `${p.phase}@${p.atSec}`)).toEqual([
      'baseline@0',
      'fault@80',
      'recovery@105',
      'after@130',
      'drain@300',
    ]);
  });

  it('takes --scale over the scenario and profile, and scales every rate by it', async () => {
    const { scenario } = await loadScenario('holiday-surge');
    const plan = planRun(scenario, { profile: 'ci', scale: 0.1, seed: 1 });
    expect(plan.scale).toBe(0.1);
    expect(plan.ledger).toEqual({ reservationsPerSec: 200, fareUpdatesPerSec: 100 });
    expect(plan.supplierFeedPerSec).toBe(2000);
    // The k6 builder applies the scale to the load's rates; the plan carries them unscaled.
    expect(plan.k6).toEqual({ load: { preset: 'holiday-surge', durationSec: 60, rate: 5000 } });
    const nightly = planRun(scenario, { profile: 'nightly', seed: 1 });
    expect(nightly.durationSec).toBe(600);
    expect(planRun({ ...scenario, profiles: { ci: { scale: 0.5 } } }, { profile: 'ci', seed: 1 }).scale).toBe(
      0.5,
    );
  });

  it('stretches capacity steps with the profile', async () => {
    const { scenario } = await loadScenario('search-capacity');
    const plan = planRun(scenario, { profile: 'drill', seed: 1 });
    const load = (
      plan.k6 as { load: { durationSec: number; steps: { rate: number; durationSec: number }[] } }
    ).load;
    expect(load.durationSec).toBe(160);
    expect(load.steps.map((s) => s.durationSec)).toEqual(Array(8).fill(20));
    expect(load.steps.map((s) => s.rate)).toEqual([1000, 2000, 3000, 5000, 7500, 10000, 15000, 20000]);
    expect(plan.phases).toEqual([
      { phase: 'baseline', atSec: 0 },
      { phase: 'drain', atSec: 160 },
    ]);
  });

  it('rejects a non-positive scale', async () => {
    const { scenario } = await loadScenario('soak');
    expect(() => planRun(scenario, { profile: 'ci', scale: 0, seed: 1 })).toThrow(
      /scale must be a positive number/,
    );
  });

  it('plans every catalogue scenario in every profile', async () => {
    for (const { scenario } of await loadCatalog()) {
      for (const profile of ['ci', 'nightly', 'drill'] as const) {
        const plan = planRun(scenario, { profile, seed: 1 });
        expect(plan.phases.at(-1), `${scenario.name} ${profile}`).toEqual({
          phase: 'drain',
          atSec: plan.durationSec,
        });
        for (const f of plan.faults) expect(f.atSec + f.forSec).toBeLessThanOrEqual(plan.durationSec);
      }
    }
  });
});

describe('profiles', () => {
  it('fit the whole catalogue into the ci budget', async () => {
    const catalogue = await loadCatalog();
    const names = catalogue.map((l) => l.scenario.name);
    const total = profileScenarios('ci', names)
      .map((n) => catalogue.find((l) => l.scenario.name === n)!.scenario)
      .reduce((sum, s) => sum + planRun(s, { profile: 'ci', seed: 1 }).durationSec + s.settleSec, 0);
    expect(profileScenarios('ci', names)).toHaveLength(18);
    expect(total).toBeLessThanOrEqual(CI_LOAD_BUDGET_SEC);
  });

  it('drill runs failover scenarios that exist, each with faults', async () => {
    const catalogue = await loadCatalog();
    const drill = profileScenarios(
      'drill',
      catalogue.map((l) => l.scenario.name),
    );
    expect(drill.length).toBeGreaterThan(3);
    for (const name of drill) {
      expect(catalogue.find((l) => l.scenario.name === name)?.scenario.faults.length, name).toBeGreaterThan(
        0,
      );
    }
  });

  it('calibrates with pauses of at least three lengths between 3 s and 30 s, search alone, judged within 5 %', async () => {
    const lengths: number[] = [];
    for (const name of ['ingress-calibration-5s', 'ingress-calibration', 'ingress-calibration-30s']) {
      const l = await loadScenario(name);
      expect(l.scenario.load.flows, name).toEqual(['search']);
      expect(l.slos.find((r) => r.id === 'calibration.rto.error')?.objective, name).toEqual({
        op: '<=',
        value: 5,
      });
      lengths.push(l.scenario.faults[0]!.forSec);
    }
    expect(lengths).toEqual([5, 20, 30]);
  });
});

describe('requiredCapabilities', () => {
  it('names what each scenario needs', async () => {
    const needs = async (name: string) => requiredCapabilities((await loadScenario(name)).scenario);
    expect(await needs('broker-loss')).toEqual([
      { capability: 'processFaults', faultIds: ['kill-most-leaders'] },
    ]);
    expect(await needs('network-partition')).toEqual([
      { capability: 'networkFaults', faultIds: ['isolate-primary'] },
    ]);
    expect(await needs('az-loss')).toEqual([{ capability: 'azOutage', faultIds: ['lose-az-a'] }]);
    expect(await needs('soak')).toEqual([]);
  });

  it('lets a platform without root refuse network faults up front', async () => {
    const caps: Capabilities = {
      processFaults: true,
      networkFaults: false,
      azOutage: false,
      missing: { networkFaults: 'not root: loopback mode' },
    };
    const { scenario } = await loadScenario('latency-injection');
    const [p, ...rest] = missingCapabilities(scenario, caps);
    expect(rest).toEqual([]);
    expect(p?.code).toBe('missing-capability');
    expect(p?.message).toMatch(/networkFaults \(faults slow-store\).*not root: loopback mode/);
    expect(missingCapabilities((await loadScenario('broker-loss')).scenario, caps)).toEqual([]);
  });
});
