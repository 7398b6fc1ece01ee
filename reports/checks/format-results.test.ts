import { describe, expect, it } from 'vitest';
import { formatResultsTable } from './format-results.ts';
import { judge } from './judge.ts';
import { phases, row, runData, secs, win } from './test-run.ts';

describe('formatResultsTable', () => {
  it('lists each row and explains the ones that did not pass', () => {
    const run = runData({
      history: phases([['baseline', 0]], 10),
      metrics: secs(0, 10, (s) => win(s, 100, 2)),
    });
    const res = judge(
      run,
      [
        row({ metric: 'error-rate', id: 'err', objective: { op: '<=', value: 1 }, unit: '%' }),
        row({ metric: 'overbooking', id: 'seats' }),
      ],
      { now: 'T' },
    );
    const text = formatResultsTable(res);
    expect(text.split('\n')[0]).toMatch(/^id\s+measured\s+objective\s+verdict$/);
    expect(text).toMatch(/err\s+2 %\s+<= 1 %\s+FAIL/);
    expect(text).toMatch(/seats\s+-\s+<= 1 count\s+UNKNOWN/);
    expect(text).toContain('seats: readback.json is missing');
    expect(text.trimEnd().split('\n').at(-1)).toBe('test: FAIL (/nonexistent/run)');
  });
});
