import { describe, expect, it } from 'vitest';
import { ENGINE_NICE, engineCommand } from './engine.ts';

describe('engineCommand', () => {
  it('as root, runs the engine above the platform (nice), so its sends are not delayed by what it measures', () => {
    expect(engineCommand('/x/ws-load', ['-plan', 'p.json'], true)).toEqual([
      'nice',
      ['-n', String(ENGINE_NICE), '/x/ws-load', '-plan', 'p.json'],
    ]);
    expect(ENGINE_NICE).toBeLessThan(0);
  });

  it('without root, runs it as is (a user cannot raise a priority)', () => {
    expect(engineCommand('/x/ws-load', ['-plan', 'p.json'], false)).toEqual([
      '/x/ws-load',
      ['-plan', 'p.json'],
    ]);
  });
});
