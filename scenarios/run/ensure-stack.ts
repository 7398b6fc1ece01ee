import type { Platform } from '../../chaos/platforms/platform.ts';
import { componentsOf, type Topology } from '../../system/topology.ts';
import { PROFILES, type ProfileName } from '../profiles.ts';

/** The stack a run drives, and the addresses the runner uses. */
export interface RunStack {
  topology: Topology;
  /** True when this run brought the stack up (and takes it down unless --keep). */
  broughtUp: boolean;
  edge: string;
  ingestUrls: string[];
  pgHosts: string[];
}

/** Stage: use the stack that is up, or bring one up for the profile. */
export async function ensureStack(
  platform: Platform,
  profile: ProfileName,
  log: (line: string) => void,
): Promise<RunStack> {
  let topology = platform.current();
  let broughtUp = false;
  if (!topology) {
    log(`no stack is up: bringing one up (profile ${PROFILES[profile].topology})`);
    const up = await platform.up({ profile: PROFILES[profile].topology, onProgress: log });
    topology = up.topology;
    broughtUp = true;
  }
  return {
    topology,
    broughtUp,
    edge: `http://${topology.edge.host}:${topology.edge.port}`,
    ingestUrls: topology.components
      .filter((c) => c.service === 'ingest')
      .map((c) => `http://${c.host}:${c.ports.http}`),
    pgHosts: componentsOf(topology, 'postgres').map((c) => `${c.host}:${c.ports.client}`),
  };
}
