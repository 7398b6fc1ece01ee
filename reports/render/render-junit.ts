import { XMLBuilder } from 'fast-xml-parser';
import type { RunResults, SloVerdict } from '../../lib/run-format.ts';
import { fmt } from './html-page.ts';

/**
 * JUnit XML with one <testcase> per SLO row, named by the row id (stable across title changes) in
 * classname `windshear.<scenario>`. A failed row carries <failure type="slo-fail">; an unknown row
 * carries <error type="unknown"> — not <skipped> — because an unknown verdict (invalid load,
 * missing measurement) makes `windshear` exit 2 and must not look green in CI. Messages state
 * measured value, objective and margin.
 */
export function renderJunit(results: RunResults): string {
  const failures = results.slos.filter((s) => s.verdict === 'fail').length;
  const errors = results.slos.filter((s) => s.verdict === 'unknown').length;
  const counts = {
    '@_tests': results.slos.length,
    '@_failures': failures,
    '@_errors': errors,
    '@_skipped': 0,
  };
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'windshear',
      ...counts,
      testsuite: {
        '@_name': `windshear.${results.scenario}`,
        ...counts,
        '@_timestamp': results.judgedAt,
        properties: {
          property: [
            { '@_name': 'verdict', '@_value': results.verdict },
            { '@_name': 'runDir', '@_value': results.runDir },
            { '@_name': 'lostWrites', '@_value': results.lostWrites.length },
            { '@_name': 'duplicates', '@_value': results.duplicates.length },
            { '@_name': 'sloTables', '@_value': results.sloTables.join(' ') },
          ],
        },
        testcase: results.slos.map((s) => testcase(results.scenario, s)),
      },
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return builder.build(doc);
}

function testcase(scenario: string, s: SloVerdict): Record<string, unknown> {
  const sourceLine = `source: ${s.source.seed} / ${s.source.table} / ${s.source.row}`;
  const base = { '@_name': s.id, '@_classname': `windshear.${scenario}`, '@_time': 0 };
  if (s.verdict === 'pass') return { ...base, 'system-out': `${junitMessage(s)}\n${sourceLine}` };
  const tag = s.verdict === 'fail' ? 'failure' : 'error';
  return {
    ...base,
    [tag]: {
      '@_message': junitMessage(s),
      '@_type': s.verdict === 'fail' ? 'slo-fail' : 'unknown',
      '#text': `${s.detail}\n${sourceLine}`,
    },
  };
}

/** `<title>: <STATE> measured <m>, objective <op> <v> (margin <x>). <detail>` */
export function junitMessage(s: SloVerdict): string {
  const state = s.verdict.toUpperCase();
  const measured = fmt(s.measured, s.unit);
  const objective = `${s.objective.op} ${fmt(s.objective.value, s.unit)}`;
  const margin = s.margin === null ? '' : ` (margin ${fmt(s.margin, s.unit)})`;
  return `${s.title}: ${state} measured ${measured}, objective ${objective}${margin}. ${s.detail}`;
}
