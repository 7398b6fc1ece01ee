import type { AzName } from '../../lib/run-format.ts';
import { buildTopology, type Topology } from '../../system/topology.ts';
import type {
  Capabilities,
  ComponentStatus,
  PartitionSpec,
  Platform,
  ShapeSpec,
  StepResult,
} from '../platforms/platform.ts';

/**
 * A Platform that changes nothing and records every primitive call, for testing the executor's
 * ordering, undo and refusals. `failOn` makes a call (by action prefix, e.g. `kill kafka-2`)
 * return exit 1; `throwOn` makes it reject; `onCall` runs before each call is answered.
 */
export interface RecordingPlatform extends Platform {
  calls: string[];
  failOn: Set<string>;
  throwOn: Set<string>;
  onCall?: (action: string) => void;
}

export function recordingPlatform(
  opts: { topology?: Topology | null; capabilities?: Partial<Capabilities> } = {},
): RecordingPlatform {
  const topology =
    opts.topology === undefined ? buildTopology({ profile: 'ci', network: 'netns' }) : opts.topology;
  const caps: Capabilities = {
    processFaults: true,
    networkFaults: true,
    azOutage: true,
    missing: {},
    ...opts.capabilities,
  };
  let nextRule = 1;
  const rules = new Set<string>();
  const self: RecordingPlatform = {
    name: 'local',
    calls: [],
    failOn: new Set(),
    throwOn: new Set(),
    capabilities: () => caps,
    current: () => topology,
    plannedTopology: (profile) => buildTopology({ profile, network: 'netns' }),
    collectLogs: () => Promise.resolve('logs'),
    up: () => Promise.reject(new Error('recording platform: up is not faked')),
    down: () => Promise.resolve({ removed: [] }),
    status: () =>
      Promise.resolve(
        (topology?.components ?? []).map(
          (c, i): ComponentStatus => ({
            name: c.name,
            kind: c.kind,
            az: c.az,
            address: c.host,
            pid: 1000 + i,
            role: null,
            health: 'healthy',
          }),
        ),
      ),
    kill: (name, signal) => call(`kill ${name} ${signal}`),
    pause: (name) => call(`pause ${name}`),
    resume: (name) => call(`resume ${name}`),
    start: (name) => call(`start ${name}`),
    reconfigure: (name, env) =>
      call(
        `reconfigure ${name}${Object.entries(env)
          .map(([k, v]) => ` ${k}=${v}`)
          .join('')}`,
      ),
    partition: async (spec: PartitionSpec) => {
      const id = `rule-${nextRule++}`;
      const r = await call(
        `partition ${spec.az}${spec.ports ? `:${spec.ports.join(',')}` : ''} ${spec.direction} -> ${id}`,
      );
      if (r.exitCode === 0) rules.add(id);
      return { ...r, id };
    },
    shape: async (spec: ShapeSpec) => {
      const id = `rule-${nextRule++}`;
      const r = await call(`shape ${spec.az}${spec.ports ? `:${spec.ports.join(',')}` : ''} -> ${id}`);
      if (r.exitCode === 0) rules.add(id);
      return { ...r, id };
    },
    heal: (id) => {
      rules.delete(id);
      return call(`heal ${id}`);
    },
    azDown: (az: AzName) => call(`az-down ${az}`),
    azUp: (az: AzName) => call(`az-up ${az}`),
  };
  async function call(action: string): Promise<StepResult> {
    self.calls.push(action);
    self.onCall?.(action);
    const matches = (set: Set<string>) => [...set].some((p) => action.startsWith(p));
    if (matches(self.throwOn)) throw new Error(`fake failure of ${action}`);
    return matches(self.failOn) ? { action, exitCode: 1, detail: 'fake failure' } : { action, exitCode: 0 };
  }
  return self;
}
