import { badInput } from '../lib/errors.ts';
import type { RunPlan } from '../lib/run-format.ts';
import { PROFILES, type ProfileName } from './profiles.ts';
import type { LoadSpec, Scenario } from './schema.ts';
import { buildTimeline, roundSec } from './timeline.ts';

export interface PlanOptions {
  profile: ProfileName;
  /** Overrides the scenario's and the profile's scale (the CLI's --scale). */
  scale?: number;
  seed: number;
}

/**
 * What `RunPlan.k6` holds until loadgen/profiles.ts builds k6 options from it: the scenario's load
 * with this profile's durations applied. Rates are before scale; multiply by `RunPlan.scale`.
 */
export interface PlannedK6 {
  load: LoadSpec;
}

/** The scale a run uses: --scale, else the scenario's profile override, else the profile's. */
export function effectiveScale(scenario: Scenario, opts: Pick<PlanOptions, 'profile' | 'scale'>): number {
  return opts.scale ?? scenario.profiles?.[opts.profile]?.scale ?? PROFILES[opts.profile].scale;
}

/** How much this profile stretches this scenario's timeline (>= 1). */
export function durationMultiplier(scenario: Scenario, profile: ProfileName): number {
  const override = scenario.profiles?.[profile]?.durationSec;
  return override !== undefined ? override / scenario.load.durationSec : PROFILES[profile].durationMultiplier;
}

const scaled = (perSec: number, scale: number) => Math.round(perSec * scale * 1000) / 1000;

/**
 * Pure: a validated scenario to the plan a run follows. The profile stretches durations and fault
 * start times (not fault lengths); scale multiplies the ledger and supplier-feed rates here and the
 * load's rates in the k6 builder.
 */
export function planRun(scenario: Scenario, opts: PlanOptions): RunPlan {
  const scale = effectiveScale(scenario, opts);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw badInput(
      'bad-scale',
      `scale must be a positive number, got ${scale}`,
      'pass --scale 0.01 (or leave it out)',
    );
  }
  const m = durationMultiplier(scenario, opts.profile);
  const durationSec = roundSec(scenario.load.durationSec * m);
  const load: LoadSpec = {
    ...scenario.load,
    durationSec,
    ...(scenario.load.steps
      ? {
          steps: scenario.load.steps.map((s) => ({ rate: s.rate, durationSec: roundSec(s.durationSec * m) })),
        }
      : {}),
  };
  const faults = scenario.faults.map((f) => ({
    id: f.id,
    fault: f.fault,
    selector: f.target,
    atSec: roundSec(f.atSec * m),
    forSec: f.forSec,
    ...(f.params ? { params: f.params } : {}),
  }));
  const timeline = buildTimeline({
    durationSec,
    recoverySec: scenario.recoverySec,
    warmupSec: scenario.load.warmupSec ?? 0,
    faults: faults.map((f, index) => ({ index, id: f.id, atSec: f.atSec, forSec: f.forSec })),
  });
  if (timeline.issues.length > 0) {
    // loadScenario rejects these; reaching here means the scenario did not come through it.
    throw badInput(
      'scenario-timeline',
      `scenario ${scenario.name} does not fit its timeline in profile ${opts.profile}: ${timeline.issues.map((i) => i.message).join('; ')}`,
      'load scenarios with loadScenario() so every problem is reported with its line',
    );
  }
  const k6: PlannedK6 = { load };
  return {
    scenario: scenario.name,
    profile: opts.profile,
    scale,
    seed: opts.seed,
    phases: timeline.phases,
    faults,
    k6: { ...k6 },
    ledger: {
      reservationsPerSec: scaled(scenario.ledger.reservationsPerSec, scale),
      fareUpdatesPerSec: scaled(scenario.ledger.fareUpdatesPerSec, scale),
    },
    supplierFeedPerSec: scaled(scenario.supplierFeed.ratePerSec, scale),
    durationSec,
    ...(scenario.negativeControl ? { negativeControl: true } : {}),
  };
}
