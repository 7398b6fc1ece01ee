import { describe, expect, it } from 'vitest';
import { WindshearError } from '../lib/errors.ts';
import { intendedInSecond, intendedTotal, type LoadPlan } from './load-plan.ts';
import {
  describeProfile,
  k6OptionsFor,
  loadPlanFor,
  PRESETS,
  parseK6Duration,
  SEED_PEAK_RPS,
  supplierFeedRate,
  TRAFFIC_MIX,
} from './profiles.ts';

describe('k6OptionsFor', () => {
  it('peak is seed 004 peak × scale as constant-arrival-rate scenarios split by the mix', () => {
    const o = k6OptionsFor({ preset: 'peak', durationSec: 30 }, 0.1);
    expect(Object.keys(o.scenarios)).toEqual(TRAFFIC_MIX.map((m) => m.scenario));
    for (const s of Object.values(o.scenarios)) {
      expect(s.executor).toBe('constant-arrival-rate');
      if (s.executor === 'constant-arrival-rate') expect(s.duration).toBe('30s');
      expect(s.maxVUs).toBeGreaterThanOrEqual(s.preAllocatedVUs);
    }
    expect(o.scenarios.search?.exec).toBe('search');
    expect(o.scenarios.booking?.exec).toBe('bookingFlow');
    const plan = loadPlanFor({ preset: 'peak', durationSec: 30 }, 0.1);
    expect(intendedInSecond(plan, 0)).toBe(SEED_PEAK_RPS * 0.1);
    expect(intendedTotal(plan)).toBe(SEED_PEAK_RPS * 0.1 * 30);
  });

  it('sizes VUs from the rate (Little: rate × latency budget)', () => {
    const small = k6OptionsFor({ preset: 'peak', durationSec: 10 }, 0.01).scenarios.search!;
    const big = k6OptionsFor({ preset: 'peak', durationSec: 10 }, 1).scenarios.search!;
    expect(big.maxVUs).toBe(4000);
    expect(big.preAllocatedVUs).toBe(400);
    expect(small.maxVUs).toBeLessThan(big.maxVUs);
  });

  it('allows rate × two 10 s request timeouts (+5 s) in VUs, so a hung system does not make k6 drop iterations', () => {
    const s = k6OptionsFor({ preset: 'peak', durationSec: 10 }, 0.01).scenarios.search!;
    if (s.executor !== 'constant-arrival-rate') throw new Error('expected constant-arrival-rate');
    expect(s.maxVUs).toBe(Math.ceil(s.rate * 25));
  });

  it('holiday-surge ramps to twice the peak and back', () => {
    const o = k6OptionsFor({ preset: 'holiday-surge', durationSec: 100 }, 0.1);
    const p: LoadPlan = loadPlanFor({ preset: 'holiday-surge', durationSec: 100 }, 0.1);
    const s = o.scenarios.search!;
    expect(s.executor).toBe('ramping-arrival-rate');
    expect(intendedInSecond(p, 0)).toBe(500);
    const top = Math.max(...Array.from({ length: 100 }, (_, i) => intendedInSecond(p, i)));
    expect(top).toBe(1000);
    expect(intendedInSecond(p, 99)).toBe(500);
    if (s.executor === 'ramping-arrival-rate')
      expect(s.stages.reduce((a, st) => a + parseK6Duration(st.duration), 0)).toBe(100);
  });

  it('capacity-step holds each given step for its duration', () => {
    const o = loadPlanFor(
      {
        preset: 'capacity-step',
        durationSec: 1,
        steps: [
          { rate: 100, durationSec: 5 },
          { rate: 200, durationSec: 5 },
        ],
      },
      1,
    );
    expect(intendedInSecond(o, 2)).toBe(100);
    expect(intendedInSecond(o, 7)).toBe(200);
    expect(intendedInSecond(o, 10)).toBe(0);
    expect(intendedInSecond(o, -1)).toBe(0);
  });

  it('accepts fractional durations (scenario timelines are stretched)', () => {
    const s = k6OptionsFor({ preset: 'peak', durationSec: 7.5 }, 0.01).scenarios.search!;
    expect(s.executor === 'constant-arrival-rate' && s.duration).toBe('7.5s');
    const surge = k6OptionsFor({ preset: 'holiday-surge', durationSec: 12.5 }, 0.01).scenarios.search!;
    if (surge.executor === 'ramping-arrival-rate')
      expect(surge.stages.reduce((a, st) => a + parseK6Duration(st.duration), 0)).toBeCloseTo(12.5, 9);
  });

  it('keeps every flow at >= 1 request/s at tiny scales', () => {
    const o = k6OptionsFor({ preset: 'baseline', durationSec: 5 }, 0.001);
    for (const s of Object.values(o.scenarios))
      if (s.executor === 'constant-arrival-rate') expect(s.rate).toBeGreaterThanOrEqual(1);
  });

  it('drives only the flows named, the whole rate split among them', () => {
    const p = loadPlanFor({ preset: 'baseline', durationSec: 10, rate: 300, flows: ['search'] }, 0.01);
    expect(p.flows.map((f) => [f.name, f.startRate])).toEqual([['search', 3]]);
    const two = loadPlanFor(
      { preset: 'baseline', durationSec: 10, rate: 950, flows: ['search', 'price'] },
      1,
    );
    expect(two.flows.map((f) => [f.name, f.startRate])).toEqual([
      ['search', 800],
      ['price', 150],
    ]);
    expect(() => loadPlanFor({ preset: 'baseline', durationSec: 10, flows: ['nope' as never] }, 1)).toThrow(
      /unknown flow "nope"/,
    );
  });

  it('rejects bad specs with every problem at once', () => {
    try {
      k6OptionsFor({ preset: 'holiday-surge', durationSec: 0 }, -1);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WindshearError);
      expect((e as Error).message).toMatch(/durationSec.*scale.*holiday-surge/);
    }
  });
});

describe('describeProfile and supplierFeedRate', () => {
  it('states the scale and the seed', () => {
    for (const preset of PRESETS) {
      const d = describeProfile({ preset, durationSec: 20 }, 0.02);
      expect(d).toContain('scale 0.02');
      expect(d.startsWith(preset)).toBe(true);
    }
    expect(describeProfile({ preset: 'peak', durationSec: 20 }, 0.02)).toContain('100 req/s');
  });

  it('pairs 10,000 msg/s with 5,000 req/s', () => {
    expect(supplierFeedRate({ preset: 'peak', durationSec: 10 }, 1)).toBe(10_000);
    expect(supplierFeedRate({ preset: 'peak', durationSec: 10 }, 0.02)).toBe(200);
    expect(supplierFeedRate({ preset: 'holiday-surge', durationSec: 10 }, 0.02)).toBe(400);
  });
});

describe('parseK6Duration', () => {
  it('reads k6 durations', () => {
    expect(parseK6Duration('1m30s')).toBe(90);
    expect(parseK6Duration('500ms')).toBe(0.5);
    expect(() => parseK6Duration('soon')).toThrow(WindshearError);
  });
});
