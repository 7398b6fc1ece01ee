import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WindshearError } from '../../lib/errors.ts';
import { register } from './list.ts';

async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  await program.parseAsync(['node', 'windshear', ...args]);
  return out;
}

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('windshear list', () => {
  it('--json lists every scenario with hypothesis, fault kinds, SLO ids and needs', async () => {
    const list = JSON.parse(await run('list', '--json')) as {
      name: string;
      hypothesis: string;
      faultKinds: string[];
      slos: string[];
      needs: string[];
      profiles: string[];
    }[];
    expect(list).toHaveLength(18);
    const partition = list.find((s) => s.name === 'network-partition');
    expect(partition).toMatchObject({ faultKinds: ['partition'], needs: ['networkFaults'] });
    expect(partition?.profiles).toEqual(['ci', 'nightly', 'drill']);
    expect(list.find((s) => s.name === 'soak')).toMatchObject({
      faultKinds: [],
      profiles: ['ci', 'nightly'],
    });
    expect(list.every((s) => s.hypothesis.length > 0 && s.slos.length > 0)).toBe(true);
  });

  it('prints text with one block per scenario', async () => {
    const out = await run('list');
    expect(out).toMatch(/^broker-loss +kill {2}\(75s; ci, nightly, drill\)$/m);
    expect(out).toMatch(/^ {2}SLOs: kafka\.leader-failover, kafka\.rto,/m);
  });

  it('--slos lists the rows with their seeds', async () => {
    const out = await run('list', '--slos');
    expect(out).toMatch(/^redis\.promotion +<= 15 s +000_7ae5c9fc6e99809f\.txt: /m);
    expect(out).toMatch(/^capacity\.api-peak +>= 5000 req\/s × scale/m);
  });
});

describe('windshear validate', () => {
  it('accepts catalogue files and SLO tables', async () => {
    const out = await run(
      'validate',
      'scenarios/catalog/broker-loss.yaml',
      'scenarios/slo/000-ha-scaling-plan.yaml',
    );
    expect(out).toBe(
      'ok  scenarios/catalog/broker-loss.yaml: scenario broker-loss, 1 faults, 11 SLO rows\n' +
        'ok  scenarios/slo/000-ha-scaling-plan.yaml: SLO table, 10 rows\n',
    );
  });

  it('checks selectors against the topology of --profile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-validate-'));
    dirs.push(dir);
    const file = join(dir, 'replica-two.yaml');
    const text = await readFile('scenarios/catalog/broker-loss.yaml', 'utf8');
    await writeFile(
      file,
      text.replace('kafka:most-leaders(topic=reservations.commands)', 'name:search-api-b2'),
    );
    expect(await run('validate', '--profile', 'nightly', file)).toMatch(/^ok {2}.*replica-two\.yaml/);
    const err = (await run('validate', '--profile', 'ci', file).catch((e: unknown) => e)) as WindshearError;
    expect(err.exitCode).toBe(254);
    expect(err.problems.map((p) => [p.path, p.code])).toEqual([
      ['faults[0].target', 'selector-outside-topology'],
    ]);
    expect(err.problems[0]?.fix).toContain('search-api-b1');
  });

  it('reports the problems of every file at once, exit 254', async () => {
    const err = await run(
      'validate',
      'scenarios/fixtures/malformed.yaml',
      'scenarios/fixtures/slo/broken-table.yaml',
      'scenarios/catalog/soak.yaml',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WindshearError);
    const { problems, exitCode } = err as WindshearError;
    expect(exitCode).toBe(254);
    expect(problems.filter((p) => p.file === 'scenarios/fixtures/malformed.yaml')).toHaveLength(15);
    expect(problems.filter((p) => p.file === 'scenarios/fixtures/slo/broken-table.yaml')).toHaveLength(10);
  });
});
