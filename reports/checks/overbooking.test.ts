import { describe, expect, it } from 'vitest';
import { judgeOne, row, runData } from './test-run.ts';

const r = row({ metric: 'overbooking', objective: { op: '<=', value: 0 }, unit: 'count' });
const rb = (sold: number) => ({
  at: '',
  reservations: {},
  fares: {},
  inventory: [
    { flightId: 'F1', capacity: 100, sold },
    { flightId: 'F2', capacity: 50, sold: 50 },
  ],
});

describe('overbooking', () => {
  it('passes at capacity, fails beyond it', () => {
    expect(judgeOne(runData({ readback: rb(100) }), r)).toMatchObject({ verdict: 'pass', measured: 0 });
    expect(judgeOne(runData({ readback: rb(103) }), r)).toMatchObject({ verdict: 'fail', measured: 3 });
  });
  it('is unknown without inventory', () => {
    expect(judgeOne(runData({ readback: { at: '', reservations: {}, fares: {} } }), r).verdict).toBe(
      'unknown',
    );
    expect(judgeOne(runData({ readback: null }), r).verdict).toBe('unknown');
  });
});
