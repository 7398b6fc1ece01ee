import type { Capabilities } from '../chaos/platforms/platform.ts';
import type { Problem } from '../lib/errors.ts';
import { faultNeeds } from './check-fault.ts';
import type { Scenario } from './schema.ts';

export type CapabilityName = Exclude<keyof Capabilities, 'missing'>;

/** The platform capabilities a scenario's faults need, each with the faults that need it. */
export function requiredCapabilities(
  scenario: Pick<Scenario, 'faults'>,
): { capability: CapabilityName; faultIds: string[] }[] {
  const by = new Map<CapabilityName, string[]>();
  for (const f of scenario.faults) {
    for (const need of faultNeeds(f.fault)) {
      by.set(need, [...(by.get(need) ?? []), f.id]);
    }
  }
  return [...by]
    .map(([capability, faultIds]) => ({ capability, faultIds }))
    .sort((a, b) => a.capability.localeCompare(b.capability));
}

/** One problem per capability the platform lacks, so a run can refuse before anything starts. */
export function missingCapabilities(
  scenario: Pick<Scenario, 'name' | 'faults'>,
  caps: Capabilities,
): Problem[] {
  return requiredCapabilities(scenario)
    .filter((r) => !caps[r.capability])
    .map((r) => ({
      code: 'missing-capability',
      message: `scenario ${scenario.name} needs ${r.capability} (faults ${r.faultIds.join(', ')}), which this platform lacks${caps.missing[r.capability] ? `: ${caps.missing[r.capability]}` : ''}`,
      fix:
        r.capability === 'processFaults'
          ? 'use a platform that can kill and pause components (local, compose or kubernetes)'
          : 'run as root so the local platform can create network namespaces (sudo windshear ...), or use the compose or kubernetes platform',
    }));
}
