import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.ts';

describe('windshear load refuses a plan the engine cannot honour, before anything starts', () => {
  it('exit 254 with every problem and its fix; no run directory, no request sent', async () => {
    const r = await runCli([
      'load',
      ...['--profile', 'peak', '--rate', '200000', '--scale', '1', '--duration', '0s'],
      ...['--target', 'http://127.0.0.1:9'],
    ]);
    expect(r.code, r.stderr).toBe(254);
    expect(r.stderr).toContain('--duration must be like 30s');
    expect(r.stderr).not.toContain('at ');
  });

  it('a rate above the engine ceiling is refused with the ceiling and how to get under it', async () => {
    const r = await runCli(['load', '--rate', '200000', '--scale', '1', '--target', 'http://127.0.0.1:9']);
    expect(r.code, r.stderr).toBe(254);
    expect(r.stderr).toMatch(
      /error\[load-plan\].*peak rate 200000 req\/s is above what ws-load starts on time/,
    );
    expect(r.stderr).toMatch(/fix: lower --rate or --scale/);
  });

  it('an unknown engine is refused with the ones there are', async () => {
    const r = await runCli(['load', '--engine', 'jmeter', '--target', 'http://127.0.0.1:9']);
    expect(r.code).toBe(254);
    expect(r.stderr).toContain('unknown load engine "jmeter"');
    expect(r.stderr).toContain('--engine ws-load or --engine k6');
  });
});
