import type { ShapeSpec } from '../platforms/platform.ts';
import { type FaultTarget, type Plan, planOf, type Step } from './step.ts';

/**
 * The plan of every tc-netem fault: one shaping rule per AZ target (all its traffic) or per
 * component target (only its ports), on traffic leaving the AZ.
 */
export function shapePlan(
  targets: readonly FaultTarget[],
  netem: Pick<ShapeSpec, 'delayMs' | 'jitterMs' | 'lossPercent' | 'rateKbit'>,
): Plan {
  const steps: Step[] = [];
  const seenAz = new Set<string>();
  for (const t of targets) {
    if (t.az === 'edge') continue;
    if (t.kind === 'az') {
      if (seenAz.has(t.az)) continue;
      seenAz.add(t.az);
    }
    const spec: ShapeSpec = { az: t.az, ...(t.kind === 'az' ? {} : { ports: [...t.ports] }), ...netem };
    steps.push({ op: 'shape', spec, ref: `shape-${steps.length}` });
  }
  return planOf(steps);
}
