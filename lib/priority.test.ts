import { describe, expect, it } from 'vitest';
import { niceTo } from './priority.ts';

describe('niceTo', () => {
  it('starts a child at the target niceness whatever the caller runs at', () => {
    expect(niceTo(0, -10)).toEqual(['nice', '-n', '10']);
    expect(niceTo(-10, -10)).toEqual([]);
    expect(niceTo(-10, 0)).toEqual(['nice', '-n', '-10']);
  });
});
