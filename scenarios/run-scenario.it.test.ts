import { describe, expect, it } from 'vitest';
import type { RunResults } from '../lib/run-format.ts';
import { runCli } from '../test/run-cli.ts';

// One real scenario end to end on the shared stack (test/global-setup.ts): load, ledger, the
// broker kill, probes, heal, drain, read-back, judge, render. ~2 min on 2 cores.
describe('windshear run-scenario broker-loss --profile ci', () => {
  it('ends with a measured RTO, RPO 0 with acks=all, and a verdict', { timeout: 290_000 }, async () => {
    const r = await runCli(['run-scenario', 'broker-loss', '--profile', 'ci', '--json'], {
      timeoutMs: 280_000,
    });
    expect(r.code, r.stderr).not.toBe(255);
    expect(r.code, r.stderr).not.toBe(254);
    const results = JSON.parse(r.stdout) as RunResults;
    expect(['pass', 'fail', 'unknown']).toContain(results.verdict);
    const fault = results.faults.find((f) => f.faultId === 'kill-most-leaders');
    expect(fault?.targets[0]?.name).toMatch(/^kafka-\d$/);
    // RTO measured from the SLI, and the new-leader time from the kafka probe.
    expect(fault?.rtoMs).toBeTypeOf('number');
    expect(fault?.components.find((c) => c.what === 'kafka-leader')?.ms).toBeTypeOf('number');
    // RPO is measured from the ledger. With acks=all it should be 0, but the reference stream
    // intermittently loses acknowledged fare updates around a broker kill (kafkajs transactions
    // without KIP-447): the harness reports that as lost writes, so this asserts the measurement,
    // not the platform's luck. The loss is tracked as a platform bug.
    const rpo = results.slos.find((s) => s.id === 'rpo.single-component');
    expect(rpo?.measured, rpo?.detail).toBeTypeOf('number');
    console.log(
      `broker-loss: RTO ${fault?.rtoMs} ms, new leader after ${fault?.components.find((c) => c.what === 'kafka-leader')?.ms} ms, RPO ${rpo?.measured} lost writes, verdict ${results.verdict}`,
    );
    expect(results.slos.find((s) => s.id === 'windshear.run-complete')).toBeUndefined();
  });
});
