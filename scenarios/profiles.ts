import type { Profile as TopologyProfile } from '../system/topology.ts';
import { PROFILE_NAMES, type ProfileName } from './schema.ts';

export { PROFILE_NAMES, type ProfileName };

/** How a run profile sizes scenarios; a scenario's `profiles.<name>` overrides per scenario. */
export interface ProfileSpec {
  name: ProfileName;
  description: string;
  /** Default scale: rates (load, feed, ledger) and scaled SLO objectives are multiplied by it. */
  scale: number;
  /**
   * Stretches the quiet parts of every timeline: load duration, capacity steps and each fault's
   * `atSec` are multiplied; a fault's `forSec` is not, because fault lengths are tied to real
   * timeouts (Sentinel's down-after, Kafka's session timeout). >= 1, so a timeline valid at 1 is
   * valid stretched.
   */
  durationMultiplier: number;
  /** Scenarios run, in order, when none is named; `all` is the catalogue, sorted. */
  scenarios: 'all' | readonly string[];
  /** Topology size system/topology.ts builds for this profile. */
  topology: TopologyProfile;
}

/**
 * Scales are guesses for the machines each profile runs on: `ci` is a 2-core runner where the whole
 * platform, k6 and the harness share the CPUs (0.01 turns seed 004's 5,000 req/s peak into 50 req/s).
 * Pass --scale to measure elsewhere; reports state the scale used.
 */
export const PROFILES: Readonly<Record<ProfileName, ProfileSpec>> = {
  ci: {
    name: 'ci',
    description:
      'every scenario, short timelines, small scale: the whole catalogue fits in 30 min on 2 cores',
    scale: 0.01,
    durationMultiplier: 1,
    scenarios: 'all',
    topology: 'ci',
  },
  nightly: {
    name: 'nightly',
    description: 'every scenario with four times the baseline and observation time, at double the ci scale',
    scale: 0.02,
    durationMultiplier: 4,
    scenarios: 'all',
    topology: 'full',
  },
  drill: {
    name: 'drill',
    description: 'the failover scenarios in sequence, as an operator drill',
    scale: 0.01,
    durationMultiplier: 2,
    scenarios: [
      'broker-loss',
      'redis-primary-failover',
      'postgres-failover',
      'stream-worker-crash',
      'network-partition',
      'az-loss',
    ],
    topology: 'full',
  },
};

/**
 * Seconds of load the whole catalogue may take in profile ci. The rest of 30 min is bring-up
 * (~50 s) and ~21 s per scenario of settle, drain and read-back (broker-loss: 75 s of load in a
 * 96 s run): 18 scenarios (four of them the calibration pauses, one the 150 s baseline-control)
 * leave about 23 min of load.
 */
export const CI_LOAD_BUDGET_SEC = 23 * 60;

/** Scenario names a profile runs when none is named, given the catalogue's names. */
export function profileScenarios(profile: ProfileName, catalogue: readonly string[]): string[] {
  const list = PROFILES[profile].scenarios;
  return list === 'all' ? [...catalogue].sort() : [...list];
}

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}
