import { describe, expect, it } from 'vitest';
import { counterDelta } from './counter-delta.ts';

describe('counterDelta', () => {
  const r = [{ startMs: 10_000, endMs: 30_000 }];
  it('sums increases from the sample before the window', () => {
    const s = [0, 5, 9, 12, 20].map((t, i) => ({ t: t * 1000, value: [100, 150, 160, 190, 400][i] ?? 0 }));
    // pairs ending at 12 s and 20 s: 190-160 + 400-190
    expect(counterDelta(s, r)).toBe(240);
  });
  it('treats a drop as a restart counting from zero', () => {
    const s = [
      { t: 9000, value: 500 },
      { t: 15_000, value: 20 },
      { t: 20_000, value: 50 },
    ];
    expect(counterDelta(s, r)).toBe(50);
  });
  it('is null without a pair in the window', () => {
    expect(counterDelta([{ t: 11_000, value: 1 }], r)).toBeNull();
  });
});
