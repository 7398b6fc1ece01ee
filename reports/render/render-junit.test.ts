import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../lib/run-format.ts';
import { renderJunit } from './render-junit.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

interface Case {
  '@_name': string;
  failure?: { '@_message': string; '@_type': string };
  error?: { '@_message': string; '@_type': string };
  skipped?: unknown;
}

async function junitOf(fixture: string, edit?: (r: RunResults) => void) {
  const results = JSON.parse(await readFile(join(FIXTURES, fixture, 'results.json'), 'utf8')) as RunResults;
  edit?.(results);
  const xml = renderJunit(results);
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(
    xml,
  ) as {
    testsuites: {
      testsuite: { testcase: Case[]; '@_tests': string; '@_failures': string; '@_errors': string };
    };
  };
  return { results, suite: doc.testsuites.testsuite, cases: doc.testsuites.testsuite.testcase };
}

function state(c: Case): string {
  return c.failure ? 'fail' : c.error ? 'unknown' : c.skipped ? 'skipped' : 'pass';
}

describe('renderJunit', () => {
  for (const fixture of ['passing', 'failed-slo', 'unknown-load', 'lost-writes', 'capacity']) {
    it(`has exactly one testcase per SLO row, in the right state (${fixture})`, async () => {
      const { results, cases, suite } = await junitOf(fixture);
      expect(cases.map((c) => c['@_name'])).toEqual(results.slos.map((s) => s.id));
      expect(cases.map(state)).toEqual(results.slos.map((s) => s.verdict));
      expect(Number(suite['@_tests'])).toBe(results.slos.length);
      expect(Number(suite['@_failures'])).toBe(results.slos.filter((s) => s.verdict === 'fail').length);
      expect(Number(suite['@_errors'])).toBe(results.slos.filter((s) => s.verdict === 'unknown').length);
    });
  }

  it('puts measured value and objective into the failure message', async () => {
    const { cases } = await junitOf('failed-slo');
    const failed = cases.find((c) => c['@_name'] === 'search.latency.p95')!;
    expect(failed.failure?.['@_type']).toBe('slo-fail');
    expect(failed.failure?.['@_message']).toContain(
      'FAIL measured 412 ms, objective <= 250 ms (margin -162 ms)',
    );
  });

  it('reports unknown as <error type="unknown">, distinguishable from a failure', async () => {
    const { cases } = await junitOf('unknown-load');
    const unknown = cases.find((c) => c['@_name'] === 'loadgen.validity')!;
    expect(unknown.failure).toBeUndefined();
    expect(unknown.error?.['@_type']).toBe('unknown');
    expect(unknown.error?.['@_message']).toContain('UNKNOWN measured 80 %, objective >= 95 %');
  });

  it('stays valid XML when titles hold markup characters', async () => {
    const { cases } = await junitOf('failed-slo', (r) => {
      r.slos[0]!.title = 'p95 < 250 & "fast" </testcase>';
    });
    expect(cases[0]?.failure?.['@_message']).toContain('p95 < 250 & "fast" </testcase>');
  });
});
