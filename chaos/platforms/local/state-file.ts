import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Topology } from '../../../system/topology.ts';
import type { PartitionSpec, ShapeSpec } from '../platform.ts';
import type { LaunchSpec } from './processes.ts';

/**
 * Everything the local platform created, written before and after each change, so `down`
 * removes it all even after the harness was killed with SIGKILL.
 */
export interface LocalState {
  version: 1;
  createdAt: string;
  /** `starting` until every component is ready. */
  phase: 'starting' | 'up';
  /** pid of the harness that brought the stack up (informational). */
  ownerPid: number;
  /** The checkout that brought it up (another checkout's `up` names it); absent in older states. */
  checkout?: string;
  topology: Topology;
  dataRoot: string;
  components: Record<string, ComponentState>;
  /** Network namespaces and host-side links created (netns mode). */
  netns: string[];
  links: string[];
  /** Bridges whose FORWARD accept rule `up` added (recorded before adding); absent before it did. */
  firewall?: string[];
  /** Active partition and shaping rules by id. */
  rules: Record<string, ActiveRule>;
}

export interface ComponentState {
  launch: LaunchSpec;
  pid: number | null;
  /** Set when a fault stopped it on purpose; `start` clears it. */
  stopped?: 'killed' | 'terminated';
  paused?: boolean;
  /** Environment overrides set by a `reconfigure` fault; launched with them until restored. */
  overrides?: Record<string, string>;
}

export type ActiveRule =
  | { kind: 'partition'; spec: PartitionSpec; netns: string }
  | { kind: 'shape'; spec: ShapeSpec; netns: string; helperPid?: number };

export function readState(file: string): LocalState | null {
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as LocalState;
  return parsed.version === 1 ? parsed : null;
}

/** Atomic replace: a crash never leaves half a state file. */
export function writeState(file: string, state: LocalState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeState(file: string): void {
  rmSync(file, { force: true });
}
