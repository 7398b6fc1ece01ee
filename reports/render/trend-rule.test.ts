import { describe, expect, it } from 'vitest';
import { judgeRegression, median } from './trend-rule.ts';

describe('judgeRegression', () => {
  it('needs three earlier values', () => {
    expect(judgeRegression(500, [100, 110], 'lower')).toBeNull();
  });

  it('flags a p95 far above the noise of earlier runs, not one inside it', () => {
    const earlier = [100, 104, 98, 101, 103];
    expect(judgeRegression(140, earlier, 'lower')?.regressed).toBe(true);
    expect(judgeRegression(112, earlier, 'lower')?.regressed).toBe(false);
  });

  it('measures noise from MAD, so a noisy history tolerates more', () => {
    const noisy = [80, 130, 95, 150, 100];
    expect(judgeRegression(180, noisy, 'lower')?.regressed).toBe(false);
    expect(judgeRegression(180, [100, 101, 99, 100, 102], 'lower')?.regressed).toBe(true);
  });

  it('treats a drop as the regression for higher-is-better series (capacity knee)', () => {
    const knees = [400, 400, 420, 400];
    expect(judgeRegression(300, knees, 'higher')?.regressed).toBe(true);
    expect(judgeRegression(500, knees, 'higher')?.regressed).toBe(false);
  });

  it('flags any lost write against a history of none', () => {
    expect(judgeRegression(1, [0, 0, 0], 'lower')?.regressed).toBe(true);
    expect(judgeRegression(0, [0, 0, 0], 'lower')?.regressed).toBe(false);
  });

  it('uses only the last ten earlier values', () => {
    const old = Array.from({ length: 20 }, () => 1000);
    const recent = Array.from({ length: 10 }, () => 100);
    expect(judgeRegression(200, [...old, ...recent], 'lower')?.median).toBe(100);
  });

  it('median handles even and odd lengths', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
