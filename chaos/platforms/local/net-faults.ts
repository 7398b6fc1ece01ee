import { exec } from '../../../lib/exec.ts';
import type { Topology } from '../../../system/topology.ts';
import type { PartitionSpec, ShapeSpec, StepResult } from '../platform.ts';
import { nsVeth } from './network.ts';
import type { ActiveRule } from './state-file.ts';

/**
 * Kernel-level network faults inside an AZ's namespace. Each rule lives in its own nft table
 * `ws_<id>` (or tc class on the AZ's veth), so healing deletes exactly what was added, and
 * deleting the namespace (`down`) removes whatever a crash left.
 */

const table = (id: string) => `ws_${id.replace(/-/g, '_')}`;

async function nft(netns: string, script: string): Promise<StepResult> {
  const r = await exec('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], {
    input: script,
    timeoutMs: 10_000,
  });
  return {
    action: `nft in ${netns}`,
    exitCode: r.exitCode,
    ...(r.exitCode ? { detail: r.stderr.trim() } : {}),
  };
}

function peerAddresses(topology: Topology, spec: PartitionSpec): string[] {
  const peers = spec.from ?? [...topology.azs.map((a) => a.name).filter((a) => a !== spec.az), 'edge'];
  return peers.map((p) =>
    p === 'edge' ? topology.bridge!.address : topology.azs.find((a) => a.name === p)!.address,
  );
}

/** nft ruleset text for a partition (pure, unit-tested). */
export function partitionRuleset(topology: Topology, id: string, spec: PartitionSpec): string {
  const dev = nsVeth(spec.az);
  const peers = `{ ${peerAddresses(topology, spec).join(', ')} }`;
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
  netns: string,
  id: string,
  spec: PartitionSpec,
): Promise<StepResult> {
  const r = await nft(netns, partitionRuleset(topology, id, spec));
  const what = spec.ports?.length ? `ports ${spec.ports.join(',')} of ${spec.az}` : spec.az;
  return { ...r, action: `partition ${what} (${spec.direction}) from ${(spec.from ?? ['all']).join(',')}` };
}

/** Loss through nft (numgen), bandwidth through tc tbf; delay needs netem, which this kernel may lack. */
export async function applyShape(
  _topology: Topology,
  netns: string,
  id: string,
  spec: ShapeSpec,
  _onHelper: (pid: number) => void,
): Promise<StepResult> {
  const dev = nsVeth(spec.az);
  const parts: string[] = [];
  if (spec.delayMs || spec.jitterMs) {
    const r = await exec('ip', [
      'netns',
      'exec',
      netns,
      'tc',
      'qdisc',
      'add',
      'dev',
      dev,
      'root',
      'netem',
      'delay',
      `${spec.delayMs ?? 0}ms`,
      ...(spec.jitterMs ? [`${spec.jitterMs}ms`] : []),
    ]);
    if (r.exitCode !== 0) {
      return {
        action: `delay ${spec.az}`,
        exitCode: r.exitCode,
        detail: `tc netem unavailable: ${r.stderr.trim()}`,
      };
    }
    parts.push(`delay ${spec.delayMs}ms`);
  } else if (spec.rateKbit) {
    const r = await exec('ip', [
      'netns',
      'exec',
      netns,
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
      netns,
      `table inet ${table(id)} {\n  chain output { type filter hook output priority -10; policy accept;\n    oifname "${dev}" ${ports}numgen random mod 100 < ${Math.round(spec.lossPercent)} drop\n  }\n}\n`,
    );
    if (r.exitCode !== 0) return { ...r, action: `loss ${spec.az}` };
    parts.push(`loss ${spec.lossPercent}%`);
  }
  return { action: `shape ${spec.az}: ${parts.join(', ')}`, exitCode: 0 };
}

/** Deletes one rule's table and qdisc; missing pieces are fine (idempotent). */
export async function removeRule(rule: ActiveRule, id: string): Promise<StepResult> {
  await exec('ip', ['netns', 'exec', rule.netns, 'nft', 'delete', 'table', 'inet', table(id)]);
  if (rule.kind === 'shape' && (rule.spec.delayMs || rule.spec.jitterMs || rule.spec.rateKbit)) {
    await exec('ip', [
      'netns',
      'exec',
      rule.netns,
      'tc',
      'qdisc',
      'del',
      'dev',
      nsVeth(rule.spec.az),
      'root',
    ]);
  }
  if (rule.kind === 'shape' && rule.helperPid) {
    try {
      process.kill(rule.helperPid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  return { action: `heal ${id}`, exitCode: 0 };
}
