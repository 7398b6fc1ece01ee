import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ExecResult, exec, waitFor } from '../../../lib/exec.ts';
import { paths } from '../../../lib/paths.ts';
import type { Topology } from '../../../system/topology.ts';
import type { PartitionSpec, ShapeSpec, StepResult } from '../platform.ts';
import { nsVeth } from './network.ts';
import { isAlive, launch, signalGroup } from './processes.ts';
import type { ActiveRule } from './state-file.ts';

/**
 * Kernel-level network faults inside a network namespace: an AZ's (local platform) or a
 * container's (compose platform). Each rule lives in its own nft table `ws_<id>` (or tc qdisc,
 * or iptables rules commented `ws_<id>` plus a ws-netem helper for delay), so healing deletes
 * exactly what was added, and `down` (which kills every process in the namespaces and deletes
 * them) removes whatever a crash left. Where a command runs is a `NetnsRunner`.
 */

/** How to run a command inside one network namespace; `wrap` execs, so a launched pid is the program's. */
export interface NetnsRunner {
  /** The namespace in messages: `ws-az-b`, `kafka-2 (pid 4242)`. */
  label: string;
  wrap(argv: string[]): string[];
}

/** A named namespace (`ip netns exec`), as the local platform's AZs. */
export const ipNetns = (netns: string): NetnsRunner => ({
  label: netns,
  wrap: (argv) => ['ip', 'netns', 'exec', netns, ...argv],
});

/** The network namespace of a process (`nsenter -t <pid> -n`), as a container's. */
export const nsenterNet = (pid: number, label: string): NetnsRunner => ({
  label,
  wrap: (argv) => ['nsenter', '-t', String(pid), '-n', ...argv],
});

const inNs = (ns: NetnsRunner, argv: string[], input?: string): Promise<ExecResult> => {
  const [cmd, ...args] = ns.wrap(argv);
  return exec(cmd!, args, { timeoutMs: 10_000, ...(input !== undefined ? { input } : {}) });
};

export const ruleTable = (id: string) => `ws_${id.replace(/-/g, '_')}`;
const table = ruleTable;

async function nft(ns: NetnsRunner, script: string): Promise<StepResult> {
  const r = await inNs(ns, ['nft', '-f', '-'], script);
  return {
    action: `nft in ${ns.label}`,
    exitCode: r.exitCode,
    ...(r.exitCode ? { detail: r.stderr.trim() } : {}),
  };
}

/** Where a partition is written: the interface inside the namespace and each peer's address (or CIDR). */
export interface PartitionPlace {
  dev: string;
  peerAddress: (peer: PartitionSpec['az'] | 'edge') => string;
}

/** The local platform's: the AZ namespace's veth; peers are the AZ namespaces and the host on the bridge. */
export function localPlace(topology: Topology, az: PartitionSpec['az']): PartitionPlace {
  return {
    dev: nsVeth(az),
    peerAddress: (p) =>
      p === 'edge' ? topology.bridge!.address : topology.azs.find((a) => a.name === p)!.address,
  };
}

function peerAddresses(topology: Topology, spec: PartitionSpec, place: PartitionPlace): string[] {
  const peers = spec.from ?? [...topology.azs.map((a) => a.name).filter((a) => a !== spec.az), 'edge'];
  return peers.map((p) => place.peerAddress(p));
}

/** nft ruleset text for a partition (pure, unit-tested). */
export function partitionRuleset(
  topology: Topology,
  id: string,
  spec: PartitionSpec,
  place: PartitionPlace = localPlace(topology, spec.az),
): string {
  const dev = place.dev;
  const peers = `{ ${peerAddresses(topology, spec, place).join(', ')} }`;
  const ports = spec.ports?.length ? `{ ${spec.ports.join(', ')} }` : null;
  // A component partition cuts connections to its ports and the ones it opened from them.
  const inMatch = ports ? `tcp dport ${ports} ` : '';
  const outMatch = ports ? `tcp sport ${ports} ` : '';
  const lines = [`table inet ${table(id)} {`];
  if (spec.direction !== 'egress') {
    lines.push(
      '  chain input { type filter hook input priority -10; policy accept;',
      `    iifname "${dev}" ip saddr ${peers} ${inMatch}drop`,
      '  }',
    );
  }
  if (spec.direction !== 'ingress') {
    lines.push(
      '  chain output { type filter hook output priority -10; policy accept;',
      `    oifname "${dev}" ip daddr ${peers} ${outMatch}drop`,
      '  }',
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export async function applyPartition(
  topology: Topology,
  ns: NetnsRunner,
  id: string,
  spec: PartitionSpec,
  place: PartitionPlace = localPlace(topology, spec.az),
): Promise<StepResult> {
  const r = await nft(ns, partitionRuleset(topology, id, spec, place));
  const what = spec.ports?.length ? `ports ${spec.ports.join(',')} of ${spec.az}` : spec.az;
  return { ...r, action: `partition ${what} (${spec.direction}) from ${(spec.from ?? ['all']).join(',')}` };
}

/** Where a shaping rule acts: the namespace and the interface whose egress it shapes. */
export interface ShapeTarget {
  ns: NetnsRunner;
  dev: string;
}

export interface DelayHelperOptions {
  /** The ws-netem binary; `windshear setup` builds it. */
  bin?: string;
  /** Directory of the helper's log `ws-netem-<id>.log`. */
  logsDir?: string;
}

/** Packets the helper holds at most (the kernel queue has the same bound); a full queue accepts. */
export const DELAY_MAX_QUEUE = 10_000;

/** multiport matches at most 15 ports per rule. */
const MULTIPORT_MAX = 15;

/** NFQUEUE queue number of a rule, 1000-64999, derived from its id (pure). */
export function delayQueueNum(id: string): number {
  let h = 0x811c9dc5;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return 1000 + (h % 64_000);
}

/**
 * iptables argv lists (each run under `ip netns exec <ns>`) that hand a rule's egress packets on
 * `dev` to its NFQUEUE queue, or delete exactly those rules (pure, unit-tested). With ports, TCP
 * packets from or to any of them match (a component's replies and its requests to peers on the
 * same ports). `--queue-bypass`: when no helper is bound to the queue, packets pass undelayed.
 */
export function delayIptablesArgv(
  op: 'add' | 'delete' | 'check',
  id: string,
  dev: string,
  queueNum: number,
  ports?: number[],
): string[][] {
  const flag = op === 'add' ? '-A' : op === 'delete' ? '-D' : '-C';
  const head = ['iptables', '-w', '5', '-t', 'mangle', flag, 'OUTPUT', '-o', dev];
  const tail = [
    '-m',
    'comment',
    '--comment',
    table(id),
    '-j',
    'NFQUEUE',
    '--queue-num',
    String(queueNum),
    '--queue-bypass',
  ];
  if (!ports?.length) return [[...head, ...tail]];
  const groups: number[][] = [];
  for (let i = 0; i < ports.length; i += MULTIPORT_MAX) groups.push(ports.slice(i, i + MULTIPORT_MAX));
  return groups.map((g) => [...head, '-p', 'tcp', '-m', 'multiport', '--ports', g.join(','), ...tail]);
}

/** ws-netem's arguments for a spec (pure). */
export function delayHelperArgs(queueNum: number, spec: ShapeSpec): string[] {
  return [
    '--queue-num',
    String(queueNum),
    '--delay-ms',
    String(spec.delayMs ?? 0),
    '--jitter-ms',
    String(spec.jitterMs ?? 0),
    '--max-queue',
    String(DELAY_MAX_QUEUE),
    '--fail-open',
  ];
}

/** True when a process in `ns` has bound NFQUEUE queue `queueNum`. */
async function queueBound(ns: NetnsRunner, queueNum: number): Promise<boolean> {
  const r = await inNs(ns, ['cat', '/proc/net/netfilter/nfnetlink_queue']);
  return r.stdout.split('\n').some((l) => l.trim().split(/\s+/)[0] === String(queueNum));
}

function isHelper(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ws-netem') && isAlive(pid);
  } catch {
    return false;
  }
}

/** SIGTERM (the helper accepts what it holds, then exits), SIGKILL after 3 s; fine when gone. */
export async function stopHelper(pid: number): Promise<void> {
  if (!isHelper(pid)) return;
  signalGroup(pid, 'SIGTERM');
  if (await waitFor(async () => !isHelper(pid), 3000, 50)) return;
  signalGroup(pid, 'SIGKILL');
  await waitFor(async () => !isHelper(pid), 2000, 50);
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}

/**
 * Delay and jitter without the netem qdisc: egress packets on the target interface go through
 * an iptables NFQUEUE rule to a ws-netem helper in the namespace, which holds each one for
 * delayMs ± jitterMs and accepts it. The helper's pid goes to `onHelper` as soon as it exists.
 */
async function applyDelay(
  target: ShapeTarget,
  id: string,
  spec: ShapeSpec,
  onHelper: (pid: number) => void,
  opts: DelayHelperOptions,
): Promise<StepResult> {
  const action = `delay ${target.dev} in ${target.ns.label}`;
  const bin = opts.bin ?? paths.bin('ws-netem');
  if (!existsSync(bin)) return { action, exitCode: 127, detail: `${bin} not found: run \`windshear setup\`` };
  const queueNum = delayQueueNum(id);
  if (await queueBound(target.ns, queueNum)) {
    return {
      action,
      exitCode: 1,
      detail: `NFQUEUE queue ${queueNum} is already bound in ${target.ns.label}`,
    };
  }
  const log = join(opts.logsDir ?? paths.logsDir(), `ws-netem-${id}.log`);
  const pid = launch({
    argv: target.ns.wrap([bin, ...delayHelperArgs(queueNum, spec)]),
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    netns: null,
    user: null,
    cwd: '/',
    log,
  });
  onHelper(pid);
  const outcome = await waitFor(
    async () => (!isAlive(pid) ? 'exited' : (await queueBound(target.ns, queueNum)) ? 'bound' : null),
    5000,
    50,
  );
  if (outcome !== 'bound') {
    await stopHelper(pid);
    const why = outcome === 'exited' ? 'exited' : `did not bind queue ${queueNum} within 5 s`;
    return { action, exitCode: 1, detail: `ws-netem ${why}: ${logTail(log)} (log ${log})` };
  }
  for (const argv of delayIptablesArgv('add', id, target.dev, queueNum, spec.ports)) {
    const r = await inNs(target.ns, argv);
    if (r.exitCode !== 0)
      return { action, exitCode: r.exitCode, detail: `${argv.join(' ')}: ${r.stderr.trim()}` };
  }
  return { action, exitCode: 0 };
}

/**
 * Shapes egress of `target.dev`: delay/jitter through NFQUEUE and ws-netem (this works on
 * kernels without netem), bandwidth through tc tbf, loss through nft numgen. On failure the
 * caller still removes the rule (`removeShapeOn`), which undoes whatever part was applied.
 */
export async function applyShapeOn(
  target: ShapeTarget,
  id: string,
  spec: ShapeSpec,
  onHelper: (pid: number) => void,
  opts: DelayHelperOptions = {},
): Promise<StepResult> {
  const { ns, dev } = target;
  const parts: string[] = [];
  if (spec.rateKbit) {
    const r = await inNs(ns, [
      'tc',
      'qdisc',
      'add',
      'dev',
      dev,
      'root',
      'tbf',
      'rate',
      `${spec.rateKbit}kbit`,
      'burst',
      '32kbit',
      'latency',
      '400ms',
    ]);
    if (r.exitCode !== 0)
      return { action: `bandwidth ${spec.az}`, exitCode: r.exitCode, detail: r.stderr.trim() };
    parts.push(`rate ${spec.rateKbit}kbit`);
  }
  if (spec.lossPercent) {
    const ports = spec.ports?.length ? `tcp dport { ${spec.ports.join(', ')} } ` : '';
    const r = await nft(
      ns,
      `table inet ${table(id)} {\n  chain output { type filter hook output priority -10; policy accept;\n    oifname "${dev}" ${ports}numgen random mod 100 < ${Math.round(spec.lossPercent)} drop\n  }\n}\n`,
    );
    if (r.exitCode !== 0) return { ...r, action: `loss ${spec.az}` };
    parts.push(`loss ${spec.lossPercent}%`);
  }
  if (spec.delayMs || spec.jitterMs) {
    const r = await applyDelay(target, id, spec, onHelper, opts);
    if (r.exitCode !== 0) return r;
    parts.push(`delay ${spec.delayMs ?? 0}ms${spec.jitterMs ? ` ±${spec.jitterMs}ms` : ''}`);
  }
  return { action: `shape ${spec.az}: ${parts.join(', ')}`, exitCode: 0 };
}

/** Removes what `applyShapeOn` added; missing pieces (or a missing namespace) are fine (idempotent). */
export async function removeShapeOn(
  target: ShapeTarget,
  id: string,
  spec: ShapeSpec,
  helperPid?: number,
): Promise<StepResult> {
  const { ns, dev } = target;
  const problems: string[] = [];
  if (spec.delayMs || spec.jitterMs) {
    const queueNum = delayQueueNum(id);
    const checks = delayIptablesArgv('check', id, dev, queueNum, spec.ports);
    const deletes = delayIptablesArgv('delete', id, dev, queueNum, spec.ports);
    for (const [i, del] of deletes.entries()) {
      // -C fails when the rule (or the namespace) is gone: nothing to delete.
      if ((await inNs(ns, checks[i]!)).exitCode !== 0) continue;
      const r = await inNs(ns, del);
      if (r.exitCode !== 0) problems.push(`${del.join(' ')}: ${r.stderr.trim()}`);
    }
  }
  // After the rules: the helper accepts what it still holds, so nothing is lost on heal.
  if (helperPid) await stopHelper(helperPid);
  await inNs(ns, ['nft', 'delete', 'table', 'inet', table(id)]);
  if (spec.rateKbit) await inNs(ns, ['tc', 'qdisc', 'del', 'dev', dev, 'root']);
  return {
    action: `heal ${id}`,
    exitCode: problems.length ? 1 : 0,
    ...(problems.length ? { detail: problems.join('; ') } : {}),
  };
}

/** Shapes traffic leaving an AZ (its namespace's veth); see `applyShapeOn`. */
export async function applyShape(
  _topology: Topology,
  netns: string,
  id: string,
  spec: ShapeSpec,
  onHelper: (pid: number) => void,
): Promise<StepResult> {
  return applyShapeOn({ ns: ipNetns(netns), dev: nsVeth(spec.az) }, id, spec, onHelper);
}

/** Deletes one rule's nft table, iptables rules, helper and qdisc; idempotent. */
export async function removeRule(rule: ActiveRule, id: string): Promise<StepResult> {
  if (rule.kind === 'shape') {
    return removeShapeOn(
      { ns: ipNetns(rule.netns), dev: nsVeth(rule.spec.az) },
      id,
      rule.spec,
      rule.helperPid,
    );
  }
  return removePartition(ipNetns(rule.netns), id);
}

/** Deletes a partition's nft table; idempotent (a missing table or namespace is fine). */
export async function removePartition(ns: NetnsRunner, id: string): Promise<StepResult> {
  await inNs(ns, ['nft', 'delete', 'table', 'inet', table(id)]);
  return { action: `heal ${id}`, exitCode: 0 };
}
