import { describe, expect, it } from 'vitest';
import { implementedFaultKinds } from './check-fault.ts';
import { checkScenario, FAULT_KINDS, parseDurationSec, pathText } from './schema.ts';

describe('parseDurationSec', () => {
  it.each([
    [20, 20],
    ['20s', 20],
    ['1m30s', 90],
    ['500ms', 0.5],
    ['1.5h', 5400],
    [' 2m ', 120],
  ])('%j is %d s', (input, sec) => expect(parseDurationSec(input)).toBe(sec));

  it.each([['20'], ['20 s'], ['s'], [-1], ['1d'], [null], [Number.NaN]])('rejects %j', (input) =>
    expect(parseDurationSec(input)).toBeNull(),
  );
});

describe('schema vocabularies', () => {
  it('knows exactly the fault kinds chaos/faults implements', () => {
    expect([...FAULT_KINDS].sort()).toEqual(implementedFaultKinds().sort());
  });

  it('writes paths the way problems show them', () => {
    expect(pathText(['faults', 1, 'target'])).toBe('faults[1].target');
    expect(pathText([])).toBe('');
  });
});

describe('checkScenario', () => {
  const valid = {
    name: 'x',
    hypothesis: 'Nothing breaks.',
    load: { preset: 'baseline', durationSec: 60 },
    faults: [{ at: '20s', for: 10, fault: 'pause', target: 'service:stream(count=1)' }],
    slos: ['availability'],
  };
  const ids = new Set(['availability']);

  it('defaults fault ids from kind and position', () => {
    const { scenario, issues } = checkScenario(valid, { sloIds: ids });
    expect(issues).toEqual([]);
    expect(scenario?.faults).toEqual([
      { id: 'pause-1', fault: 'pause', target: 'service:stream(count=1)', atSec: 20, forSec: 10 },
    ]);
  });

  it('rejects a hypothesis of two sentences, and duplicate fault ids', () => {
    const { scenario, issues } = checkScenario(
      {
        ...valid,
        hypothesis: 'Brokers die. Nothing is lost.',
        faults: [
          { id: 'a', at: 20, for: 5, fault: 'kill', target: 'haproxy' },
          { id: 'a', at: 20, for: 5, fault: 'kill', target: 'redis:primary' },
        ],
      },
      { sloIds: ids },
    );
    expect(scenario).toBeNull();
    expect(issues.map((i) => [i.code, pathText(i.path)])).toEqual([
      ['hypothesis', 'hypothesis'],
      ['duplicate-id', 'faults[1].id'],
    ]);
  });

  it('reports a document that is not a map', () => {
    const { issues } = checkScenario(['a'], { sloIds: ids });
    expect(issues.map((i) => i.message)).toEqual(['the document should be a map, not a list']);
  });
});
