import { describe, expect, it } from 'vitest';
import { formatByKind, formatMachine, parseProcStat } from './idle-cpu.ts';

describe('formatByKind', () => {
  it('lists the kinds using at least 0.01 cores, most first, to two places', () => {
    expect(formatByKind({ stream: 0.3149, kafka: 0.991, redis: 0.004, opensearch: 0.25 })).toBe(
      'kafka 0.99, stream 0.31, opensearch 0.25',
    );
  });

  it('is empty for an idle or empty window', () => {
    expect(formatByKind({ redis: 0.009 })).toBe('');
    expect(formatByKind({})).toBe('');
  });
});

describe('parseProcStat', () => {
  it('sums busy jiffies (user, nice, system, irq, softirq) and reads steal apart; idle and iowait are not busy', () => {
    const stat = ['cpu  100 5 40 9000 30 2 3 7 0 0', 'cpu0 50 2 20 4500 15 1 1 3 0 0', 'intr 12345'].join(
      '\n',
    );
    expect(parseProcStat(stat)).toEqual({ busy: 150, steal: 7 });
  });

  it('fails loudly on a file without the cpu line', () => {
    expect(() => parseProcStat('intr 1\n')).toThrow('no cpu line');
  });
});

describe('formatMachine', () => {
  it('gives busy cores, what ran outside the stack and stolen cores; outside is never negative', () => {
    expect(formatMachine({ cores: 1.4, machine: { busyCores: 1.93, stealCores: 0.004 } })).toBe(
      'machine 1.93 busy, 0.53 outside the stack, 0.00 stolen',
    );
    expect(formatMachine({ cores: 0.2, machine: { busyCores: 0.19, stealCores: 0 } })).toBe(
      'machine 0.19 busy, 0.00 outside the stack, 0.00 stolen',
    );
  });
});
