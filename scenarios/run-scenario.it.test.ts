import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { HistoryEvent, RunResults } from '../lib/run-format.ts';
import { parseHaproxyLog } from '../lib/run-store/parse-haproxy-log.ts';
import { RUN_FILES } from '../lib/run-store/run-files.ts';
import { readRequestSamples, runEpochStart } from '../reports/checks/request-samples.ts';
import { runCli } from '../test/run-cli.ts';

// Real scenarios end to end on the shared stack (test/global-setup.ts): load, ledger, faults,
// probes, heal, drain, read-back, judge, render. ~1.5 min each on 2 cores.
/** `windshear run-scenario <name> --profile ci --json` on the shared stack. */
const runCiScenario = (name: string) =>
  runCli(['run-scenario', name, '--profile', 'ci', '--json'], { timeoutMs: 280_000 });

describe('windshear run-scenario on the real stack', () => {
  it('broker-loss ends with a measured RTO, RPO 0 with acks=all, and a verdict', {
    timeout: 290_000,
  }, async () => {
    const r = await runCiScenario('broker-loss');
    expect(r.code, r.stderr).not.toBe(255);
    expect(r.code, r.stderr).not.toBe(254);
    const results = JSON.parse(r.stdout) as RunResults;
    expect(['pass', 'fail', 'unknown']).toContain(results.verdict);
    const fault = results.faults.find((f) => f.faultId === 'kill-most-leaders');
    expect(fault?.targets[0]?.name).toMatch(/^kafka-\d$/);
    // RTO measured from the SLI, and the new-leader time from the kafka probe.
    expect(fault?.rtoMs).toBeTypeOf('number');
    expect(fault?.components.find((c) => c.what === 'kafka-leader')?.ms).toBeTypeOf('number');
    // RPO from the ledger, every write checked on its own: acks=all and min ISR 2 lose nothing.
    // (It once lost 2 acknowledged reservations here: kafkajs' sequence rollback, see
    // BatchingProducer.replace; the lost writes are listed with partition and offset.)
    const rpo = results.slos.find((s) => s.id === 'rpo.single-component');
    expect(results.lostWrites, JSON.stringify(results.lostWrites.slice(0, 5))).toEqual([]);
    expect(rpo?.measured, rpo?.detail).toBe(0);
    console.log(
      `broker-loss: RTO ${fault?.rtoMs} ms, new leader after ${fault?.components.find((c) => c.what === 'kafka-leader')?.ms} ms, RPO ${rpo?.measured} lost writes, verdict ${results.verdict}`,
    );
    expect(results.slos.find((s) => s.id === 'windshear.run-complete')).toBeUndefined();
  });

  // The calibration sweep (issue 12): ingress pauses of 5, 20 and 30 s. The RTO must lie between
  // the resume and the answer of the first request after the last bad one (computed here from the
  // run's own records): never shorter than the outage, never longer than what users saw; and
  // within 5 % of the pause (the calibration.rto.error row). The 5 % includes what HAProxy and
  // search take to answer the waiting requests after the resume, which is why the shortest pause
  // is 5 s: 178 ms of it was 5.8 % of a 3 s pause on a loaded machine.
  for (const [name, pauseSec] of [
    ['ingress-calibration-5s', 5],
    ['ingress-calibration', 20],
    ['ingress-calibration-30s', 30],
  ] as const) {
    it(`calibration: a ${pauseSec} s ingress pause reads an RTO between the resume and the answer after the last bad request`, {
      timeout: 290_000,
    }, async () => {
      const r = await runCiScenario(name);
      expect(r.code, r.stderr).not.toBe(255);
      const results = JSON.parse(r.stdout) as RunResults;
      const f = results.faults.find((x) => x.faultId === 'pause-ingress');
      const row = results.slos.find((s) => s.id === 'calibration.rto.error');
      expect(f?.stopMs).not.toBeNull();
      expect(f?.rtoMs).not.toBeNull();
      const span = f!.stopMs! - f!.startMs;
      const history0 = (await readFile(join(results.runDir, 'history.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as HistoryEvent);
      // The pause ended at the resume step (SIGCONT), logged just before fault-stop.
      const resumedAt = Math.max(
        ...history0
          .filter((e) => e.kind === 'fault-step' && e.faultId === 'pause-ingress' && e.step === 'recover')
          .map((e) => e.t),
      );
      const requests = await readRequestSamples(
        join(results.runDir, 'requests.jsonl.gz'),
        runEpochStart(history0),
      );
      const waited = (requests ?? []).filter(
        (q) => q.issuedMs < resumedAt && q.issuedMs + q.durationMs > resumedAt,
      );
      // A reference computed from the requests alone: the answer of the first request after the last
      // bad one (failed, or slower than search's 1 s bound) due between the fault and the end of load.
      // Everything after it was good, so the SLI had recovered by then at the latest.
      const loadEnd = Math.max(
        ...history0.filter((e) => e.kind === 'phase' && e.phase === 'drain').map((e) => e.t),
      );
      const due = (requests ?? []).filter((q) => q.issuedMs >= f!.startMs && q.issuedMs < loadEnd);
      const lastBad = due.reduce((i, q, j) => (q.error || q.durationMs > 1000 ? j : i), -1);
      const next = due[lastBad + 1];
      const refMs = (next ? next.issuedMs + next.durationMs : loadEnd) - f!.startMs;
      console.log(
        `${name}: RTO ${f!.rtoMs} ms, pause ${span} ms, backlog of ${waited.length}, all good after ${Math.round(refMs)} ms, ` +
          `detection ${Math.round(f!.detectionMs ?? -1)} ms; ${row?.id} ${row?.verdict}: ${row?.detail}`,
      );
      expect(span).toBeGreaterThanOrEqual(pauseSec * 1000);
      expect(f!.detectionMs).not.toBeNull();
      expect(f!.detectionMs!).toBeLessThan(1000);
      // Nothing is answered before the resume; 50 ms for the step's own logging.
      expect(f!.rtoMs!).toBeGreaterThanOrEqual(resumedAt - f!.startMs - 50);
      expect(f!.rtoMs!).toBeLessThanOrEqual(refMs + 50);
      expect(row?.verdict, row?.detail).toBe('pass');
      for (const id of ['loadgen.dropped-iterations', 'loadgen.achieved-rate'])
        expect(results.slos.find((s) => s.id === id)?.verdict, id).toBe('pass');
    });
  }

  // The per-endpoint calibration (issue 12): every search-api instance paused for 10 s under the
  // baseline rate (search, price, booking). The truth is HAProxy's own record, read here from the
  // run's copy of its log on the wall clock: from the fault start the history recorded to the
  // first search-api server HAProxy marked UP again (the pause plus its re-admission, which its
  // 1 s checks with rise 2 leave uncertain by a whole interval). Search's RTO must be within 5 %
  // of it; booking, on its own backend, must keep an RTO of at most 0.5 s.
  it("calibration: a 10 s search-api pause reads search's RTO within 5 % of HAProxy's re-admission, booking's near 0", {
    timeout: 290_000,
  }, async () => {
    const r = await runCiScenario('endpoint-calibration');
    expect(r.code, r.stderr).not.toBe(255);
    expect(r.code, r.stderr).not.toBe(254);
    const results = JSON.parse(r.stdout) as RunResults;
    const f = results.faults.find((x) => x.faultId === 'pause-search');
    expect(f?.stopMs).not.toBeNull();
    expect(f?.targets.map((t) => t.name).sort()).toEqual(
      inject('stack')
        .topology.components.filter((c) => c.service === 'search-api')
        .map((c) => c.name)
        .sort(),
    );
    const history = (await readFile(join(results.runDir, RUN_FILES.history), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HistoryEvent);
    const started = history.find((e) => e.kind === 'fault-start' && e.faultId === 'pause-search');
    const resumed = Math.max(
      ...history
        .filter((e) => e.kind === 'fault-step' && e.faultId === 'pause-search' && e.step === 'recover')
        .map((e) => Date.parse(e.wall)),
    );
    expect(started).toBeDefined();
    const startWall = Date.parse(started!.wall);
    // HAProxy's log on the wall clock (epoch 0: t is the epoch ms of each line).
    const lb = parseHaproxyLog(await readFile(join(results.runDir, RUN_FILES.haproxyLog), 'utf8'), 0).filter(
      (x) => x.backend === 'search-api' && x.t >= startWall,
    );
    const firstDown = lb.find((x) => x.status === 'DOWN');
    const readmitted = lb.find((x) => x.status === 'UP' && firstDown !== undefined && x.t > firstDown.t);
    expect(firstDown, 'HAProxy took no search-api server out of rotation').toBeDefined();
    expect(readmitted, 'HAProxy let no search-api server back in').toBeDefined();
    const truthMs = readmitted!.t - startWall;
    const endpoint = (tag: string) => f?.endpoints?.find((x) => x.tag === tag);
    const search = endpoint('search');
    const book = endpoint('book');
    const row = (id: string) => results.slos.find((s) => s.id === id);
    const errPct = search?.rtoMs == null ? null : (100 * Math.abs(search.rtoMs - truthMs)) / truthMs;
    console.log(
      `endpoint-calibration: truth ${Math.round(truthMs)} ms (DOWN ${Math.round(firstDown!.t - startWall)} ms, resume ${resumed - startWall} ms, ` +
        `${readmitted!.server} UP ${Math.round(readmitted!.t - resumed)} ms after the resume); search RTO ${search?.rtoMs} ms (error ${errPct?.toFixed(2)} %); ` +
        `${(f?.endpoints ?? []).map((x) => `${x.tag} ${x.rtoMs} ms/${x.requests} req`).join(', ')}; overall RTO ${f?.rtoMs} ms; ` +
        `${['calibration.endpoint-rto.error', 'calibration.endpoint-rto.others'].map((id) => `${id} ${row(id)?.verdict}: ${row(id)?.detail}`).join('; ')}`,
    );
    // The pause ran its length, and HAProxy re-admitted only after the resume.
    expect(resumed - startWall).toBeGreaterThanOrEqual(10_000);
    expect(readmitted!.t).toBeGreaterThan(resumed);
    // Search: within 5 % of HAProxy's re-admission; the checker's row reads the same.
    expect(search?.requests).toBeGreaterThan(0);
    expect(errPct, 'search not recovered').not.toBeNull();
    expect(errPct!).toBeLessThanOrEqual(5);
    expect(row('calibration.endpoint-rto.error')?.verdict).toBe('pass');
    expect(row('calibration.endpoint-rto.error')?.measured).toBeCloseTo(errPct!, 0);
    // Booking, on its own backend: an RTO of at most 0.5 s, from requests during the fault.
    expect(book?.requests).toBeGreaterThan(0);
    expect(book?.rtoMs).not.toBeNull();
    expect(book!.rtoMs!).toBeLessThanOrEqual(500);
    expect(row('calibration.endpoint-rto.others')?.verdict).toBe('pass');
    for (const id of ['loadgen.dropped-iterations', 'loadgen.achieved-rate'])
      expect(row(id)?.verdict, id).toBe('pass');
  });

  it('negative control: with acks=1, the cut-off leader loses acknowledged fare updates and the ledger finds them', {
    timeout: 290_000,
  }, async () => {
    const r = await runCiScenario('negative-control');
    const results = JSON.parse(r.stdout) as RunResults;
    const lost = results.lostWrites.filter((w) => w.kind === 'fare-update');
    console.log(
      `negative-control: ${lost.length} acknowledged fare updates lost (${lost
        .slice(0, 3)
        .map((w) => `${w.key} p${w.partition}@${w.offset} leader ${w.leader}`)
        .join(', ')}), verdict ${results.verdict}, exit ${r.code}`,
    );
    expect(results.negativeControl).toBe(true);
    expect(lost.length).toBeGreaterThan(0);
    expect(results.slos.find((s) => s.id === 'rpo.single-component')?.verdict).toBe('fail');
    expect(results.verdict).toBe('fail');
    // The expected failure of a negative control is a success of the harness.
    expect(r.code).toBe(0);
    // Healing restored the services' own configuration (status shows overrides in effect).
    const status = await runCli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('"ingest-a"');
    expect(status.stdout).not.toContain('KAFKA_PRODUCER_ACKS');
  });
});
