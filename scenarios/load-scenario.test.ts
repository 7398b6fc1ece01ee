import { readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WindshearError } from '../lib/errors.ts';
import { useTempDirs } from '../test/temp-dirs.ts';
import {
  CATALOG_DIR,
  catalogNames,
  loadCatalog,
  loadScenario,
  loadScenarios,
  parseScenarioText,
  scenarioProfiles,
  topologiesOf,
} from './load-scenario.ts';
import { loadSloTables, sloIndex } from './load-slo.ts';
import { PROFILE_NAMES, profileScenarios } from './profiles.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

const tempDir = useTempDirs();

async function problemsOf(nameOrFile: string, opts = {}) {
  const err = await loadScenario(nameOrFile, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WindshearError);
  expect((err as WindshearError).exitCode).toBe(254);
  return (err as WindshearError).problems;
}

describe('the catalogue', () => {
  it('holds every scenario of issue 6 and each loads', async () => {
    expect(await catalogNames()).toEqual([
      'az-loss',
      'baseline-control',
      'broker-loss',
      'dlq-replay',
      'endpoint-calibration',
      'holiday-surge',
      'ingress-calibration',
      'ingress-calibration-30s',
      'ingress-calibration-5s',
      'latency-injection',
      'leader-isolation',
      'negative-control',
      'network-partition',
      'postgres-failover',
      'redis-primary-failover',
      'search-capacity',
      'soak',
      'stream-worker-crash',
    ]);
    const all = await loadCatalog();
    expect(all).toHaveLength(18);
    for (const l of all) {
      expect(
        l.slos.map((r) => r.id),
        l.scenario.name,
      ).toEqual(l.scenario.slos);
      expect(l.scenario.hypothesis.endsWith('.'), l.scenario.name).toBe(true);
    }
  });

  it("loads every scenario for each profile that runs it, against that profile's topology", async () => {
    const names = await catalogNames();
    for (const profile of PROFILE_NAMES) {
      const run = profileScenarios(profile, names);
      expect(
        (await loadScenarios(run, { profile })).map((l) => l.scenario.name),
        profile,
      ).toEqual(run);
      expect(await loadCatalog({ profile })).toHaveLength(18);
    }
    // Every catalogue scenario runs in ci and nightly; the drill runs six of them.
    expect(scenarioProfiles('soak', names)).toEqual(['ci', 'nightly']);
    expect(scenarioProfiles('az-loss', names)).toEqual(['ci', 'nightly', 'drill']);
    expect(scenarioProfiles('soak', names, ['drill'])).toEqual(['ci', 'nightly', 'drill']);
    expect(scenarioProfiles(undefined, null)).toEqual(['ci', 'nightly', 'drill']);
    expect(topologiesOf(['ci', 'nightly', 'drill']).map((t) => t.profile)).toEqual(['ci', 'full']);
  });

  it('resolves a name and a path to the same scenario, with defaults applied', async () => {
    const byName = await loadScenario('broker-loss');
    const byPath = await loadScenario(join(CATALOG_DIR, 'broker-loss.yaml'));
    expect(byPath.scenario).toEqual(byName.scenario);
    expect(byName.file).toBe('scenarios/catalog/broker-loss.yaml');
    expect(byName.scenario.faults).toEqual([
      {
        id: 'kill-most-leaders',
        fault: 'kill',
        target: 'kafka:most-leaders(topic=reservations.commands)',
        atSec: 20,
        forSec: 25,
      },
    ]);
    expect(byName.scenario.settleSec).toBe(5);
    expect(byName.scenario.ledger).toEqual({ reservationsPerSec: 1000, fareUpdatesPerSec: 500 });
    expect(byName.scenario.probes).toContain('consumer-lag');
  });

  it('lists the catalogue for an unknown name, with the closest one', async () => {
    const [p] = await problemsOf('broker-los');
    expect(p?.code).toBe('unknown-scenario');
    expect(p?.fix).toMatch(/did you mean "broker-loss"/);
    expect(p?.fix).toMatch(/az-loss, baseline-control, broker-loss, dlq-replay/);
  });

  it('insists a catalogue file carries its own name', async () => {
    const dir = await tempDir('ws-cat-');
    await copyFile(join(CATALOG_DIR, 'soak.yaml'), join(dir, 'long-soak.yaml'));
    const problems = await problemsOf('long-soak', { catalogDir: dir });
    expect(problems.map((p) => [p.code, p.line, p.path])).toEqual([['scenario-name', 1, 'name']]);
  });
});

describe('a malformed scenario', () => {
  it('yields all its problems at once, each with its line, path and a fix', async () => {
    const problems = await problemsOf(join(FIXTURES, 'malformed.yaml'));
    expect(problems.every((p) => p.file === 'scenarios/fixtures/malformed.yaml' && p.fix)).toBe(true);
    expect(problems.map((p) => `${p.line} ${p.path} ${p.code}`)).toEqual([
      '1 name scenario-schema',
      '2 hypothesis hypothesis',
      '4 load.preset scenario-schema',
      '6 load.rte scenario-schema',
      '11 faults[0].fault scenario-schema',
      '17 faults[1].target bad-selector',
      '19 faults[2].at phase-overlap',
      '20 faults[2].for recovery-past-end',
      '23 faults[2].params fault-param',
      '25 faults[3].at phase-overlap',
      '26 faults[3].for fault-past-end',
      '29 slos[1] unknown-slo-row',
      '30 settleSec scenario-schema',
      '31 probes[1] scenario-schema',
      '32 colour scenario-schema',
    ]);
    const fix = (path: string) => problems.find((p) => p.path === path)?.fix;
    expect(fix('load.preset')).toMatch(/did you mean "peak"/);
    expect(fix('load.rte')).toMatch(/did you mean "rate"/);
    expect(fix('faults[0].fault')).toMatch(/did you mean "kill"\? use one of: kill, terminate/);
    expect(fix('faults[1].target')).toMatch(/did you mean "kafka:controller-leader"/);
    expect(fix('slos[1]')).toMatch(/did you mean "search.latency.p50"/);
    expect(fix('probes[1]')).toMatch(/kafka, consumer-lag/);
    expect(fix('faults[2].at')).toMatch(/start it at 60s or later/);
  });

  it('names missing required keys where their parent is', async () => {
    const problems = await problemsOf(join(FIXTURES, 'missing-keys.yaml'));
    expect(problems.map((p) => `${p.line} ${p.path} ${p.message}`)).toEqual([
      '1 hypothesis missing required key "hypothesis"',
      '1 slos missing required key "slos"',
      '4 faults[0].for missing for',
      '4 faults[0].target missing required key "target"',
    ]);
  });

  it('reports YAML syntax errors with their lines', async () => {
    // Written at test time: a broken YAML file in the tree would fail the repo's linter.
    const file = join(await tempDir('ws-yaml-'), 'syntax-error.yaml');
    await writeFile(
      file,
      'name: syntax-error\nhypothesis: The YAML below is broken.\nname: twice\nload: { preset: baseline, durationSec: 60\nslos: [availability]\n',
    );
    const problems = await problemsOf(file);
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ['yaml-syntax', 3],
      ['yaml-syntax', 5],
    ]);
    expect(problems[0]?.fix).toMatch(/duplicated keys/);
  });
});

describe('parseScenarioText', () => {
  const base = readFileSync(join(CATALOG_DIR, 'redis-primary-failover.yaml'), 'utf8');
  const slos = async () => sloIndex(await loadSloTables());

  it('rejects selectors chaos/ cannot resolve and faults that do not fit their target', async () => {
    const text = base
      .replace(
        'target: redis:primary',
        'target: kafka:partition-leader(topic=reservations.commands,partition=99)',
      )
      .replace('fault: kill', 'fault: kill\n    params: { signal: 9 }');
    const { loaded, problems } = parseScenarioText(text, 'x.yaml', await slos());
    expect(loaded).toBeNull();
    // In line order: params sits right under `fault:`, above `target:`.
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['faults[0].params', 'fault-param'],
      ['faults[0].target', 'bad-selector'],
    ]);
    expect(problems[1]?.message).toMatch(/partitions 0\.\.23/);
  });

  it("rejects a component, AZ or count the profile's topology lacks, naming file, path and valid names", async () => {
    const text = base
      .replace('target: redis:primary', 'target: name:search-api-a2')
      .replace('durationSec: 75', 'durationSec: 120')
      .replace(
        'recoverySec: 20',
        [
          '  - { id: two, at: 80s, for: 5s, fault: pause, target: "service:search-api(count=4)" }',
          'recoverySec: 20',
        ].join('\n'),
      );
    const full = topologiesOf(['nightly']);
    const ci = topologiesOf(['ci']);
    expect(parseScenarioText(text, 'x.yaml', await slos(), { topologies: full }).problems).toEqual([]);
    const { loaded, problems } = parseScenarioText(text, 'scenarios/catalog/x.yaml', await slos(), {
      topologies: ci,
    });
    expect(loaded).toBeNull();
    expect(problems.map((p) => [p.file, p.path, p.code])).toEqual([
      ['scenarios/catalog/x.yaml', 'faults[0].target', 'selector-outside-topology'],
      ['scenarios/catalog/x.yaml', 'faults[1].target', 'selector-count'],
    ]);
    expect(problems[0]?.message).toContain('in the ci topology');
    expect(problems[0]?.fix).toMatch(
      /^did you mean "search-api-a1"\? components of the ci topology: kafka-1, /,
    );
    expect(problems[1]?.fix).toBe('use count=3 or less, or all');
  });

  it('checks a file outside the catalogue against every profile unless one is named', async () => {
    const file = join(await tempDir('ws-prof-'), 'outside.yaml');
    await writeFile(file, base.replace('target: redis:primary', 'target: name:search-api-c2'));
    const problems = await problemsOf(file);
    expect(problems.map((p) => `${p.line} ${p.path} ${p.code}`)).toEqual([
      '11 faults[0].target selector-outside-topology',
    ]);
    expect(problems[0]?.message).toContain('ci topology');
    expect((await loadScenario(file, { profile: 'nightly' })).scenario.faults[0]?.target).toBe(
      'name:search-api-c2',
    );
    const again = await problemsOf(file, { profile: 'ci' });
    expect(again.map((p) => p.code)).toEqual(['selector-outside-topology']);
  });

  it('refuses a process fault on a whole AZ', async () => {
    const text = base.replace('target: redis:primary', 'target: az:az-b');
    const { problems } = parseScenarioText(text, 'x.yaml', await slos());
    expect(problems.map((p) => p.path)).toEqual(['faults[0].target']);
    expect(problems[0]?.fix).toMatch(/az-outage/);
  });

  it('checks capacity steps against durationSec', async () => {
    const text = readFileSync(join(CATALOG_DIR, 'search-capacity.yaml'), 'utf8').replace(
      'durationSec: 80',
      'durationSec: 90',
    );
    const { problems } = parseScenarioText(text, 'x.yaml', await slos());
    expect(problems.map((p) => [p.path, p.fix])).toEqual([['load.durationSec', 'set durationSec: 80']]);
  });

  it('does not let a profile shrink the timeline', async () => {
    const text = `${base}profiles:\n  nightly: { durationSec: 30 }\n`;
    const { problems } = parseScenarioText(text, 'x.yaml', await slos());
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['profiles.nightly.durationSec', 'profile-duration'],
    ]);
  });

  it('accepts a minimal scenario and fills the defaults', async () => {
    const dir = await tempDir('ws-min-');
    const file = join(dir, 'mini.yaml');
    await writeFile(
      file,
      'name: mini\nhypothesis: Nothing breaks.\nload: { preset: peak, durationSec: 30 }\nslos: [availability]\n',
    );
    const l = await loadScenario(file);
    expect(l.scenario).toMatchObject({
      faults: [],
      settleSec: 5,
      recoverySec: 30,
      drainActions: [],
      supplierFeed: { ratePerSec: 10000 },
    });
    expect(l.scenario.probes).toHaveLength(9);
    expect(l.scenario.probes).toContain('opensearch');
  });
});
