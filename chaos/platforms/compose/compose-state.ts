import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stateDir } from '../../../lib/paths.ts';
import type { Topology } from '../../../system/topology.ts';
import type { PartitionSpec, ShapeSpec } from '../platform.ts';

/**
 * What the compose platform created or changed, written before each change, so `down` and
 * `chaos heal` work after the harness was killed with SIGKILL. Containers, the network and
 * volumes are found again by the project's label; this file adds what no label shows: faults.
 */
export interface ComposeState {
  version: 1;
  createdAt: string;
  /** `starting` until `docker compose up --wait` returned. */
  phase: 'starting' | 'up';
  ownerPid: number;
  /** The Compose project name (and value of the `windshear.project` label). */
  project: string;
  topology: Topology;
  /** The compose.yaml `up` ran (generated for the profile, in the state directory). */
  composeFile: string;
  components: Record<string, ComposeComponentState>;
  /** Active partition and shaping rules by id; applied in every running container of the AZ. */
  rules: Record<string, ComposeRule>;
}

export interface ComposeComponentState {
  /** Set when a fault stopped it on purpose; `start` clears it. */
  stopped?: 'killed' | 'terminated';
  paused?: boolean;
  /** Environment overrides a `reconfigure` fault put in effect (the container was recreated). */
  overrides?: Record<string, string>;
  /** The container's own environment, kept when `reconfigure` first recreates it. */
  env?: string[];
}

export type ComposeRule =
  | { kind: 'partition'; spec: PartitionSpec }
  /** `helpers`: ws-netem pid per container name (delay runs one per container namespace). */
  | { kind: 'shape'; spec: ShapeSpec; helpers: Record<string, number> };

export const composeStateFile = () => join(stateDir(), 'compose-state.json');

export function readComposeState(file = composeStateFile()): ComposeState | null {
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as ComposeState;
  return parsed.version === 1 ? parsed : null;
}

/** Atomic replace: a crash never leaves half a state file. */
export function writeComposeState(state: ComposeState, file = composeStateFile()): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeComposeState(file = composeStateFile()): void {
  rmSync(file, { force: true });
}
