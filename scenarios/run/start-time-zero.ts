import type { Phase, RunPlan } from '../../lib/run-format.ts';
import { startProbes } from '../probes/index.ts';
import type { Progress } from '../progress.ts';
import type { Scenario } from '../schema.ts';
import type { RunStack } from './ensure-stack.ts';
import type { RunContext } from './run-context.ts';
import type { SteadyState } from './steady-state.ts';

/** What runs from time zero until the stages after the load stop it. */
export interface MeasuredRun {
  samplers: ReturnType<typeof startProbes>;
  /** Records a phase change in the history and the progress line. */
  setPhase(p: Phase): void;
  /** Stops the planned phase changes (drain is set when the load has really ended). */
  clearPhaseTimers(): void;
  stopProgress(): void;
}

/**
 * Stage: time zero. One monotonic/epoch pair from here on is shared by the load engine, the
 * ledger, faults and samplers; run-start, the probes, the planned phases and the progress line
 * (every second, from the engine's folded seconds and the history's latest samples) start.
 */
export function startTimeZero(
  ctx: RunContext,
  run: {
    scenario: Scenario;
    plan: RunPlan;
    seed: number;
    stack: RunStack;
    feedFailed: string[];
    steady?: SteadyState;
  },
  onProgress: ((p: Progress) => void) | undefined,
): MeasuredRun {
  const { scenario, plan } = run;
  const clock = ctx.clock;
  ctx.startClock();
  ctx.emit({
    kind: 'run-start',
    t: 0,
    wall: clock.wall(),
    scenario: scenario.name,
    profile: plan.profile,
    scale: plan.scale,
    seed: run.seed,
  });
  if (run.steady) ctx.emit({ kind: 'steady-state', t: 0, wall: clock.wall(), ...run.steady });
  const samplers = startProbes(scenario.probes, run.stack.topology, clock, ctx.emit);
  if (run.feedFailed.length > 0)
    ctx.note('warn', `supplier feed rate not set on ${run.feedFailed.join(', ')}`);

  const setPhase = (p: Phase) => {
    ctx.live.phase = p;
    ctx.emit({ kind: 'phase', t: clock.t(), wall: clock.wall(), phase: p });
  };
  setPhase(plan.phases[0]?.phase ?? 'baseline');
  const phaseTimers = plan.phases
    .filter((p) => p.phase !== 'drain' && p.atSec > 0)
    .map((p) => setTimeout(() => setPhase(p.phase), p.atSec * 1000 - clock.t()));

  const progress = () =>
    onProgress?.({
      scenario: scenario.name,
      phase: ctx.live.phase,
      elapsedSec: clock.t() / 1000,
      totalSec: plan.durationSec,
      rate: ctx.live.load?.rate ?? null,
      loadSec: ctx.live.load?.sec ?? null,
      intendedRate: ctx.live.load?.intendedRate ?? null,
      p95Ms: ctx.live.load?.p95Ms ?? null,
      errors: ctx.live.load?.totalErrors ?? 0,
      activeFaults: ctx.history?.state().activeFaults ?? [],
      lag: ctx.history?.state().lag ?? null,
      ...(ctx.live.note ? { note: ctx.live.note } : {}),
    });
  const progressTimer = setInterval(progress, 1000);
  return {
    samplers,
    setPhase,
    clearPhaseTimers: () => {
      for (const t of phaseTimers) clearTimeout(t);
    },
    stopProgress: () => clearInterval(progressTimer),
  };
}
