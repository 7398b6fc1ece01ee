import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT, WindshearError } from '../../lib/errors.ts';
import { register } from './report.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'reports', 'render', 'fixtures');

function cli(): Command {
  const program = new Command().exitOverride();
  register(program);
  return program;
}

let work: string;
let out: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'ws-report-cli-'));
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(work, { recursive: true, force: true });
});

describe('windshear report / compare', () => {
  it('re-renders one run directory', async () => {
    const dir = join(work, 'failed-slo');
    await cp(join(FIXTURES, 'failed-slo'), dir, { recursive: true });
    await cli().parseAsync(['report', dir], { from: 'user' });
    expect(out).toContain('✗ FAIL pg-failover');
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('search.latency.p95');
  });

  it('names the path and the next step when the run directory is missing', async () => {
    const missing = join(work, 'no-such-run');
    const err = await cli()
      .parseAsync(['report', missing], { from: 'user' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WindshearError);
    expect((err as WindshearError).exitCode).toBe(EXIT.badInput);
    expect((err as WindshearError).message).toContain(missing);
    expect((err as WindshearError).problems[0]?.fix).toContain('windshear run-scenario');
  });

  it('asks for `windshear check` when results.json is missing', async () => {
    const err = await cli()
      .parseAsync(['compare', work, join(FIXTURES, 'passing')], { from: 'user' })
      .catch((e: unknown) => e);
    expect((err as WindshearError).exitCode).toBe(EXIT.badInput);
    expect((err as WindshearError).problems[0]?.fix).toContain(`windshear check ${work}`);
  });

  it('dispatches `report trend` to the trend renderer, not to a run named "trend"', async () => {
    await cp(join(FIXTURES, 'passing'), join(work, 'broker-loss', '20250301T120000Z'), { recursive: true });
    await cli().parseAsync(['report', 'trend', work], { from: 'user' });
    expect(out).toContain(`wrote ${join(work, 'index.html')}`);
  });

  it('prints compare as JSON with --json', async () => {
    await cli().parseAsync(['compare', join(FIXTURES, 'passing'), join(FIXTURES, 'failed-slo'), '--json'], {
      from: 'user',
    });
    const parsed = JSON.parse(out) as { slos: { id: string; delta: number | null }[] };
    expect(parsed.slos.find((s) => s.id === 'search.latency.p95')?.delta).toBe(230);
  });
});
