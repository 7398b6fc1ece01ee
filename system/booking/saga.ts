/**
 * Booking saga (seed 004), orchestrated: reserve seats, charge payment, confirm with the
 * airline. A failed step stops the saga and the completed steps are compensated in reverse
 * order (refund-payment before release-seats). States are persisted after every transition.
 */
export type SagaStep = 'reserve-seats' | 'charge-payment' | 'confirm-airline';
export type Compensation = 'refund-payment' | 'release-seats';
export type SagaState = 'started' | 'seats_reserved' | 'paid' | 'confirmed' | 'compensating' | 'failed';

export const STEPS: readonly SagaStep[] = ['reserve-seats', 'charge-payment', 'confirm-airline'];
const STATE_AFTER: Record<SagaStep, SagaState> = {
  'reserve-seats': 'seats_reserved',
  'charge-payment': 'paid',
  'confirm-airline': 'confirmed',
};
const COMPENSATION: Partial<Record<SagaStep, Compensation>> = {
  'reserve-seats': 'release-seats',
  'charge-payment': 'refund-payment',
};

export const stateAfter = (step: SagaStep): SagaState => STATE_AFTER[step];

/** Compensations for the completed steps, latest first. */
export function compensationsFor(completed: readonly SagaStep[]): Compensation[] {
  return [...completed].reverse().flatMap((s) => (COMPENSATION[s] ? [COMPENSATION[s]] : []));
}

export type StepResult = { ok: true } | { ok: false; reason: string };

export interface SagaDefinition {
  steps: Record<SagaStep, () => Promise<StepResult>>;
  compensations: Record<Compensation, () => Promise<void>>;
  /** Persists a state; `confirmed` and `failed` are terminal. */
  persist: (state: SagaState, detail: { reason?: string; compensations?: Compensation[] }) => Promise<void>;
  /** Retries one compensation until it succeeds (compensations must not be skipped). */
  retryCompensation?: (c: Compensation, run: () => Promise<void>) => Promise<void>;
}

export type SagaOutcome =
  | { status: 'confirmed' }
  | { status: 'failed'; failedStep: SagaStep; reason: string; compensations: Compensation[] };

export async function runSaga(def: SagaDefinition): Promise<SagaOutcome> {
  const completed: SagaStep[] = [];
  let failure: { step: SagaStep; reason: string } | null = null;
  for (const step of STEPS) {
    let r: StepResult;
    try {
      r = await def.steps[step]();
    } catch (err) {
      r = { ok: false, reason: `${step} error: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!r.ok) {
      failure = { step, reason: r.reason };
      break;
    }
    completed.push(step);
    await def.persist(stateAfter(step), {});
  }
  if (!failure) return { status: 'confirmed' };

  const todo = compensationsFor(completed);
  if (todo.length > 0) await def.persist('compensating', { reason: failure.reason });
  const retryComp = def.retryCompensation ?? ((_c, run) => run());
  for (const c of todo) await retryComp(c, def.compensations[c]);
  await def.persist('failed', { reason: failure.reason, compensations: todo });
  return { status: 'failed', failedStep: failure.step, reason: failure.reason, compensations: todo };
}
