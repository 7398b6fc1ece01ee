import type { AzName } from '../../lib/run-format.ts';
import type { ComponentSpec, Profile, Topology } from '../../system/topology.ts';

/**
 * A platform brings a topology up and down and performs primitive actions on one component or
 * one AZ. Faults (what) and selectors (who) are built on these primitives (how).
 */

/** What a platform can do; planning rejects a scenario that needs more, before anything starts. */
export interface Capabilities {
  processFaults: boolean;
  /** Partitions, delay, loss, bandwidth (kernel-level, needs network namespaces). */
  networkFaults: boolean;
  azOutage: boolean;
  /** Why a capability is missing, for the error message, e.g. `not root: loopback mode`. */
  missing: Record<string, string>;
}

export type Health = 'healthy' | 'degraded' | 'down' | 'paused' | 'stopped' | 'unknown';

export interface ComponentStatus {
  name: string;
  kind: ComponentSpec['kind'];
  az: ComponentSpec['az'];
  address: string;
  pid: number | null;
  /** Live role: `controller-leader`, `broker`, `primary`, `replica`, `monitor`, `backend`... */
  role: string | null;
  health: Health;
  detail?: string;
  /** Environment overrides an `unsafe-config` fault put in effect (until it is healed). */
  overrides?: Record<string, string>;
}

/** The outcome of one primitive action; fault steps record it in the history. */
export interface StepResult {
  action: string;
  exitCode: number;
  detail?: string;
}

/** Which traffic a partition drops, seen from the isolated side. */
export interface PartitionSpec {
  /** Isolate a whole AZ, or only the listed ports of one component in it. */
  az: AzName;
  /** Restrict to these TCP ports in the isolated AZ (a component partition); all traffic when absent. */
  ports?: number[];
  /** Peers cut off; every other AZ and the host when absent. */
  from?: (AzName | 'edge')[];
  /** `both` drops both ways; `ingress` drops only what arrives at the isolated side. */
  direction: 'both' | 'ingress' | 'egress';
}

/** Shaping of traffic leaving an AZ: delay, jitter, loss, bandwidth (optionally only to/from some ports). */
export interface ShapeSpec {
  az: AzName;
  ports?: number[];
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
  rateKbit?: number;
}

export interface UpOptions {
  profile: Profile;
  /** Called with short progress lines while bringing the stack up. */
  onProgress?: (line: string) => void;
}

export interface UpResult {
  readyMs: number;
  topology: Topology;
}

/** The platforms windshear knows; `platformFor` in platform-for.ts builds each one. */
export const PLATFORM_NAMES = ['local', 'compose', 'kubernetes'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];

/**
 * Bringing a topology up and down. The topology `current()` returns is the contract with the
 * rest of the harness: its addresses (`host`, `ports`, `edge`) are ones the harness reaches
 * from where it runs (a namespace address, a container address, a port-forward).
 */
export interface Lifecycle {
  /** The topology currently up (from the platform's own state), or null. */
  current(): Topology | null;
  /** The topology `up` would bring up now (doctor checks it before). */
  plannedTopology(profile: Profile): Topology;
  up(opts: UpOptions): Promise<UpResult>;
  /** `leftAlone`: what down found and did not remove, each with why and how to remove it. */
  down(opts?: {
    force?: boolean;
    onProgress?: (line: string) => void;
  }): Promise<{ removed: string[]; leftAlone?: string[] }>;
  /** Every component with its AZ, live role and health. */
  status(): Promise<ComponentStatus[]>;
}

/** Primitive actions on one component, by topology name. */
export interface ProcessFaults {
  kill(name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<StepResult>;
  pause(name: string): Promise<StepResult>;
  resume(name: string): Promise<StepResult>;
  /** Start a component that was killed or terminated, with its existing data. */
  start(name: string): Promise<StepResult>;
  /**
   * Restart a service with environment overrides (SIGTERM, then start); `{}` restores its own
   * configuration. The overrides stay in effect across kill and start until then.
   */
  reconfigure(name: string, env: Record<string, string>): Promise<StepResult>;
}

/** Primitive actions on the network between AZs; only offered when `capabilities()` says so. */
export interface NetworkFaults {
  /** Returns the rule id to pass to `heal`. */
  partition(spec: PartitionSpec): Promise<StepResult & { id: string }>;
  shape(spec: ShapeSpec): Promise<StepResult & { id: string }>;
  /** Removes one partition or shaping rule; idempotent. */
  heal(id: string): Promise<StepResult>;
  /** The AZ's network goes first, then every component in it dies. */
  azDown(az: AzName): Promise<StepResult>;
  /** Network up and every component of the AZ started again. */
  azUp(az: AzName): Promise<StepResult>;
}

/** What the harness reads from the platform besides the components' own interfaces. */
export interface Observation {
  /**
   * A directory holding one `<component>.log` per component, current as of the call (the
   * local platform's own log directory; other platforms fetch the logs into one).
   */
  collectLogs(): Promise<string>;
}

export interface Platform extends Lifecycle, ProcessFaults, NetworkFaults, Observation {
  readonly name: PlatformName;
  /** Checked before anything starts: a scenario needing what is missing is refused (254). */
  capabilities(): Capabilities;
}
