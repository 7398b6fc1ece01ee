import { describe, expect, it } from 'vitest';
import { type Compensation, compensationsFor, runSaga, type SagaStep, type StepResult } from './saga.ts';

function harness(fail?: { step: SagaStep; throws?: boolean }) {
  const log: string[] = [];
  const step = (s: SagaStep) => async (): Promise<StepResult> => {
    log.push(s);
    if (fail?.step === s) {
      if (fail.throws) throw new Error('boom');
      return { ok: false, reason: `${s} declined` };
    }
    return { ok: true };
  };
  const comp = (c: Compensation) => async () => {
    log.push(`undo:${c}`);
  };
  return {
    log,
    def: {
      steps: {
        'reserve-seats': step('reserve-seats'),
        'charge-payment': step('charge-payment'),
        'confirm-airline': step('confirm-airline'),
      },
      compensations: { 'refund-payment': comp('refund-payment'), 'release-seats': comp('release-seats') },
      persist: async (state: string, d: { reason?: string }) => {
        log.push(`state:${state}${d.reason ? `(${d.reason})` : ''}`);
      },
    },
  };
}

describe('compensationsFor', () => {
  it('undoes completed steps in reverse order', () => {
    expect(compensationsFor(['reserve-seats', 'charge-payment'])).toEqual([
      'refund-payment',
      'release-seats',
    ]);
    expect(compensationsFor(['reserve-seats'])).toEqual(['release-seats']);
    expect(compensationsFor([])).toEqual([]);
  });
});

describe('runSaga', () => {
  it('confirms after all steps, persisting each state', async () => {
    const h = harness();
    expect(await runSaga(h.def)).toEqual({ status: 'confirmed' });
    expect(h.log).toEqual([
      'reserve-seats',
      'state:seats_reserved',
      'charge-payment',
      'state:paid',
      'confirm-airline',
      'state:confirmed',
    ]);
  });

  it('releases seats when the payment fails, and does not call the airline', async () => {
    const h = harness({ step: 'charge-payment' });
    const out = await runSaga(h.def);
    expect(out).toMatchObject({
      status: 'failed',
      failedStep: 'charge-payment',
      compensations: ['release-seats'],
    });
    expect(h.log).not.toContain('confirm-airline');
    expect(h.log.slice(-3)).toEqual([
      'state:compensating(charge-payment declined)',
      'undo:release-seats',
      'state:failed(charge-payment declined)',
    ]);
  });

  it('refunds then releases when the airline confirmation throws', async () => {
    const h = harness({ step: 'confirm-airline', throws: true });
    const out = await runSaga(h.def);
    expect(out).toMatchObject({ status: 'failed', compensations: ['refund-payment', 'release-seats'] });
    expect(h.log.filter((l) => l.startsWith('undo:'))).toEqual(['undo:refund-payment', 'undo:release-seats']);
  });

  it('fails without compensations when no step completed (sold out)', async () => {
    const h = harness({ step: 'reserve-seats' });
    const out = await runSaga(h.def);
    expect(out).toMatchObject({ status: 'failed', compensations: [] });
    expect(h.log).toEqual(['reserve-seats', 'state:failed(reserve-seats declined)']);
  });
});
