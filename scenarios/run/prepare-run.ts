import type { Platform } from '../../chaos/platforms/platform.ts';
import { platformFor } from '../../chaos/platforms/platform-for.ts';
import { checkFaultSpec } from '../../chaos/run-fault.ts';
import { EXIT, type Problem, WindshearError } from '../../lib/errors.ts';
import type { RunPlan } from '../../lib/run-format.ts';
import type { LoadEngine } from '../../loadgen/engines/engine.ts';
import { engineByName } from '../../loadgen/engines/index.ts';
import { type LoadPlan, planProblems } from '../../loadgen/load-plan.ts';
import { type LoadSpec, loadPlanFor } from '../../loadgen/profiles.ts';
import { checkSelectorIn } from '../check-fault.ts';
import { type LoadedScenario, loadScenario } from '../load-scenario.ts';
import { planRun } from '../plan.ts';
import type { ProfileName } from '../profiles.ts';
import { missingCapabilities } from '../required-capabilities.ts';

/** Default seed: runs are reproducible unless --seed says otherwise. */
export const DEFAULT_SEED = 1;

/** Everything decided before the run directory exists. */
export interface PreparedRun {
  loaded: LoadedScenario;
  plan: RunPlan;
  seed: number;
  platform: Platform;
  engine: LoadEngine;
  engineBin: string;
  loadPlan: LoadPlan;
}

/**
 * Refuses before anything starts, with every problem at once (exit 254): the platform's
 * capabilities, each fault's static checks and, when a stack is already up (it may be another
 * profile's), whether each selector can match in its topology.
 */
export function preflightProblems(
  plan: RunPlan,
  scenario: Parameters<typeof missingCapabilities>[0],
  platform: Platform,
): Problem[] {
  const caps = platform.capabilities();
  const problems = missingCapabilities(scenario, caps);
  if (problems.length > 0) return problems;
  const topology = platform.current();
  return plan.faults.flatMap((f): Problem[] => [
    ...checkFaultSpec(
      { fault: f.fault, selector: f.selector, ...(f.params ? { params: f.params } : {}), forSec: f.forSec },
      caps,
      platform.name,
    ).map((p) => ({ ...p, message: `fault ${f.id}: ${p.message}` })),
    ...(topology ? checkSelectorIn(f.selector, topology) : []).map((p) => ({
      code: p.code,
      message: `fault ${f.id}: ${p.message}, the stack that is up`,
      ...(p.fix ? { fix: p.fix } : {}),
    })),
  ]);
}

/** Stage: load and validate the scenario, plan it, refuse what the platform or engine cannot do (254). */
export async function prepareRun(opts: {
  scenario: string;
  profile: ProfileName;
  scale?: number;
  seed?: number;
  platform?: Platform;
  engine?: string;
}): Promise<PreparedRun> {
  const loaded = await loadScenario(opts.scenario, { profile: opts.profile });
  const { scenario } = loaded;
  const seed = opts.seed ?? DEFAULT_SEED;
  const plan = planRun(scenario, {
    profile: opts.profile,
    seed,
    ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
  });
  const platform = opts.platform ?? (await platformFor());
  const engine = engineByName(opts.engine);
  const load = (plan.k6 as { load: LoadSpec }).load;
  const loadPlan = loadPlanFor(load, plan.scale, { seed });
  const problems = [...preflightProblems(plan, scenario, platform), ...planProblems(loadPlan, engine.limits)];
  if (problems.length > 0) throw new WindshearError(problems, EXIT.badInput);
  const engineBin = engine.resolve();
  return { loaded, plan, seed, platform, engine, engineBin, loadPlan };
}
