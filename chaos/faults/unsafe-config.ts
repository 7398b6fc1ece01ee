import { z } from 'zod';
import { type FaultKind, planOf } from './step.ts';

/**
 * Deliberately unsafe settings a negative control runs the system with. Each maps to the service
 * environment that turns it on (system/config.ts documents the variables).
 */
export const UNSAFE_SETTINGS = {
  /** ingest answers suppliers after the partition leader alone has the update (acks=1). */
  'producer-acks-1': { KAFKA_PRODUCER_ACKS: '1' },
} as const satisfies Record<string, Record<string, string>>;

export type UnsafeSetting = keyof typeof UNSAFE_SETTINGS;

/**
 * Restarts the target services with an unsafe setting; recovery restarts them as configured.
 * For negative controls: the harness must find the data loss such a system allows.
 */
export const unsafeConfigFault: FaultKind<{ setting: UnsafeSetting }> = {
  name: 'unsafe-config',
  description:
    'restart services with a deliberately unsafe setting (negative control); recovery restores them',
  needs: ['processFaults'],
  accepts: 'components',
  defaultSelector: 'service:ingest',
  paramsHelp: [`setting=${Object.keys(UNSAFE_SETTINGS).join('|')} (default producer-acks-1)`],
  params: z.strictObject({
    setting: z
      .enum(Object.keys(UNSAFE_SETTINGS) as [UnsafeSetting, ...UnsafeSetting[]])
      .default('producer-acks-1'),
  }),
  plan: (targets, p) =>
    planOf(targets.map((t) => ({ op: 'reconfigure', name: t.name, env: { ...UNSAFE_SETTINGS[p.setting] } }))),
};
