import { describe, expect, it } from 'vitest';
import { WindshearError } from '../lib/errors.ts';
import {
  assertPlan,
  type FlowPlan,
  flowArrivalsBefore,
  intendedBetween,
  intendedTotal,
  type LoadPlan,
  peakRate,
  planProblems,
  unsentBySecond,
} from './load-plan.ts';

const flow = (name: FlowPlan['name'], startRate: number, stages: FlowPlan['stages']): FlowPlan => ({
  name,
  startRate,
  stages,
});
const limits = { engine: 'ws-load', maxRate: 8000 };

describe('load plans', () => {
  it('integrate piecewise-linear rates exactly', () => {
    const ramp = flow('search', 0, [
      { target: 100, durationSec: 10 },
      { target: 100, durationSec: 5 },
    ]);
    expect(flowArrivalsBefore(ramp, 10)).toBe(500);
    expect(flowArrivalsBefore(ramp, 15)).toBe(1000);
    expect(flowArrivalsBefore(ramp, 99)).toBe(1000);
    const plan: LoadPlan = {
      flows: [ramp, flow('price', 3, [{ target: 3, durationSec: 15 }])],
      timeoutSec: 10,
      seed: 1,
    };
    expect(intendedBetween(plan, 10, 11)).toBe(103);
    expect(intendedTotal(plan)).toBe(1045);
    expect(peakRate(plan)).toBeCloseTo(103, 6);
  });

  it('place unsent arrivals where the schedule had them due', () => {
    const f = flow('search', 10, [{ target: 10, durationSec: 3 }]);
    // 30 arrivals, 0.1 s apart; the engine sent the first 25 (due in 0 … 2.4 s).
    expect(unsentBySecond(f, 25)).toEqual([[2, 5]]);
    expect(unsentBySecond(f, 12)).toEqual([
      [1, 8],
      [2, 10],
    ]);
    expect(unsentBySecond(f, 30)).toEqual([]);
  });

  it('refuse, with every problem at once and its fix, what the engine cannot honour', () => {
    const bad: LoadPlan = {
      flows: [
        { name: 'teleport' as FlowPlan['name'], startRate: 1, stages: [{ target: 1, durationSec: 0 }] },
        flow('search', 9000, [{ target: 9000, durationSec: 0 }]),
      ],
      timeoutSec: 10,
      seed: 1,
    };
    const problems = planProblems(bad, limits);
    expect(problems.map((p) => p.path)).toEqual(['flows[0].name', 'duration', 'rate']);
    expect(problems.every((p) => p.fix && p.code === 'load-plan')).toBe(true);
    expect(problems[2]?.message).toContain('9001 req/s is above what ws-load starts on time');
    try {
      assertPlan(bad, limits);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WindshearError);
      expect((e as WindshearError).exitCode).toBe(254);
      expect((e as WindshearError).problems).toHaveLength(3);
    }
    expect(
      planProblems(
        { flows: [flow('search', 10, [{ target: 10, durationSec: 5 }])], timeoutSec: 10, seed: 1 },
        limits,
      ),
    ).toEqual([]);
  });
});
