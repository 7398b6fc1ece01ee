import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { badInput, EXIT, internal, WindshearError } from '../../../lib/errors.ts';
import { isRoot, waitFor } from '../../../lib/exec.ts';
import { StackObserver } from '../../../lib/observe/stack-observer.ts';
import { paths, REPO_ROOT, SYSTEM_STATE_BASE, stateDir, stateDirInfo } from '../../../lib/paths.ts';
import type { AzName } from '../../../lib/run-format.ts';
import { kafkaInstaller, opensearchInstaller } from '../../../setup/maven.ts';
import {
  buildTopology,
  type ComponentSpec,
  type NetworkMode,
  type Profile,
  type Topology,
} from '../../../system/topology.ts';
import { liveStatus } from '../live-status.ts';
import type {
  Capabilities,
  ComponentStatus,
  PartitionSpec,
  Platform,
  ShapeSpec,
  StepResult,
  UpOptions,
  UpResult,
} from '../platform.ts';
import { addBridgeAccept, removeBridgeAccept } from './bridge-firewall.ts';
import {
  type BootstrapPart,
  type BuildContext,
  bootstrapPart,
  prepareHaproxy,
  prepareKafka,
  prepareKeeper,
  prepareMonitor,
  prepareOpensearch,
  prepareRedis,
  prepareSentinel,
  prepareService,
} from './components.ts';
import { type KafkaSafety, kafkaClusterId, SAFE_KAFKA } from './configs/kafka-config.ts';
import { type RedisSafety, SAFE_REDIS } from './configs/redis-config.ts';
import { ancestors } from './dir-access.ts';
import { hostResourceProblems, readHostResources } from './host-resources.ts';
import { applyPartition, applyShape, ipNetns, removeRule } from './net-faults.ts';
import { createNetwork, hostVeth, listNamespaces, namespacePids, removeNetwork, setLink } from './network.ts';
import { otherLiveStacks } from './other-stacks.ts';
import { freePortProblems } from './ports.ts';
import { accessChecks } from './preflight.ts';
import { isAlive, type LaunchSpec, launch, pidsMentioning, procState, signalGroup } from './processes.ts';
import { waitReady } from './readiness.ts';
import { bundleServices } from './service-bundle.ts';
import { type ComponentState, type LocalState, readState, removeState, writeState } from './state-file.ts';

export interface LocalPlatformOptions {
  /** Network mode; `auto` = netns when root, loopback otherwise. WINDSHEAR_NETWORK overrides. */
  network?: NetworkMode | 'auto';
  /** Start the services of system/ (default: when system/main.ts exists). */
  services?: boolean;
  kafkaSafety?: KafkaSafety;
  redisSafety?: RedisSafety;
}

/** Start order inside an AZ after an outage; also the order `up` starts them. */
const KIND_ORDER: ComponentSpec['kind'][] = [
  'kafka',
  'redis',
  'sentinel',
  'pg-monitor',
  'postgres',
  'opensearch',
  'service',
  'haproxy',
];

export function chooseNetwork(pref: NetworkMode | 'auto' = 'auto'): NetworkMode {
  const env = process.env.WINDSHEAR_NETWORK;
  const want = env === 'netns' || env === 'loopback' ? env : pref;
  if (want === 'auto') return isRoot() ? 'netns' : 'loopback';
  return want;
}

export class LocalPlatform implements Platform {
  readonly name = 'local' as const;

  constructor(private readonly opts: LocalPlatformOptions = {}) {}

  private state(): LocalState | null {
    return readState(paths.stateFile());
  }

  private save(state: LocalState): void {
    writeState(paths.stateFile(), state);
  }

  current(): Topology | null {
    return this.state()?.topology ?? null;
  }

  capabilities(): Capabilities {
    const network = this.current()?.network ?? chooseNetwork(this.opts.network);
    const netns = network === 'netns';
    const why = isRoot()
      ? 'the stack runs in loopback mode (WINDSHEAR_NETWORK=loopback): no network namespaces to cut'
      : 'not root: the stack runs on loopback addresses, and partitions, delay and AZ outages need network namespaces (run as root)';
    return {
      processFaults: true,
      networkFaults: netns,
      azOutage: netns,
      missing: netns ? {} : { networkFaults: why, azOutage: why },
    };
  }

  async up(upOpts: UpOptions): Promise<UpResult> {
    const log = upOpts.onProgress ?? (() => {});
    const started = Date.now();
    const existing = this.state();
    if (existing) {
      const alive = Object.values(existing.components).some((c) => c.pid !== null && isAlive(c.pid));
      throw badInput(
        alive ? 'already-up' : 'stale-state',
        alive
          ? `a windshear stack (profile ${existing.topology.profile}) is already up since ${existing.createdAt}`
          : `a previous stack left its state behind (${paths.stateFile()}) but its processes are gone`,
        alive
          ? 'use it as it is, or run `windshear down` first'
          : 'run `windshear down` to clean it up, then `windshear up`',
      );
    }
    await this.checkInstalled();
    const topology = this.plannedTopology(upOpts.profile);
    const network = topology.network;
    // Before anything is created: every address free, and every component user able to reach
    // its directories (PostgreSQL runs as postgres and must enter every parent of its data).
    const problems = [...(await freePortProblems(topology)), ...(await accessChecks(topology)).problems];
    if (problems.length > 0) throw new WindshearError(problems);
    for (const p of hostResourceProblems(topology.profile, readHostResources(stateDir())))
      log(`warning: ${p.message} (${p.fix})`);

    const dataRoot = paths.dataRoot();
    rmSync(dataRoot, { recursive: true, force: true });
    rmSync(paths.logsDir(), { recursive: true, force: true });
    makeStateDirs();
    const state: LocalState = {
      version: 1,
      createdAt: new Date().toISOString(),
      phase: 'starting',
      ownerPid: process.pid,
      checkout: REPO_ROOT,
      topology,
      dataRoot,
      components: {},
      netns: [],
      links: [],
      rules: {},
    };
    this.save(state);
    try {
      log(
        `network: ${network === 'netns' ? 'three network namespaces on bridge ws-br0' : 'loopback addresses per AZ'}`,
      );
      await createNetwork(topology, (kind, name) => {
        if (kind === 'netns') state.netns.push(name);
        else state.links.push(name);
        this.save(state);
      });
      if (topology.bridge) {
        // Docker's FORWARD policy DROP would drop every frame between AZs: accept our own.
        state.firewall = [topology.bridge.name];
        this.save(state);
        const fw = await addBridgeAccept(topology.bridge.name);
        if (!fw.ok)
          throw internal(
            'bridge-forward-rule',
            `cannot accept traffic across ${topology.bridge.name} in the iptables FORWARD chain: ${fw.detail}`,
            'run `windshear doctor` (it names the conflict), or run with WINDSHEAR_NETWORK=loopback',
          );
        log(`network: ${fw.detail}`);
      }
      const ctx: BuildContext = {
        topology,
        dataRoot,
        logsDir: paths.logsDir(),
        kafkaSafety: this.opts.kafkaSafety ?? SAFE_KAFKA,
        redisSafety: this.opts.redisSafety ?? SAFE_REDIS,
      };
      const run = (c: ComponentSpec, spec: LaunchSpec, restart: LaunchSpec = spec) => {
        const pid = launch(spec);
        state.components[c.name] = { launch: restart, pid };
        this.save(state);
        return pid;
      };
      const of = (kind: ComponentSpec['kind']) => topology.components.filter((c) => c.kind === kind);

      log('kafka: formatting KRaft storage on 3 nodes');
      const clusterId = kafkaClusterId(randomBytes(16));
      const kafkaSpecs = await Promise.all(of('kafka').map((c) => prepareKafka(ctx, c, clusterId)));
      for (const [i, c] of of('kafka').entries()) run(c, kafkaSpecs[i]!);
      log('redis: 1 primary, 2 replicas, 3 sentinels');
      for (const c of of('redis')) run(c, prepareRedis(ctx, c));
      for (const c of of('sentinel')) run(c, prepareSentinel(ctx, c));
      log(`opensearch: ${of('opensearch').length} node(s)`);
      const searchSpecs = await Promise.all(of('opensearch').map((c) => prepareOpensearch(ctx, c)));
      for (const [i, c] of of('opensearch').entries()) run(c, searchSpecs[i]!);
      log('postgres: pg_auto_failover monitor, primary, synchronous standby');
      const observer = new StackObserver(topology);
      // Each part of the system's data starts as soon as its tier is ready; services wait for all.
      const parts = new Map<BootstrapPart, Promise<void>>();
      const withServices = of('service').length > 0;
      const bootstrap = (part: BootstrapPart) => {
        if (!withServices || parts.has(part)) return;
        const p = bootstrapPart(ctx, part, log);
        p.catch(() => undefined); // awaited (and thrown) by startServices
        parts.set(part, p);
      };
      try {
        await waitReady(ctx, observer, {
          log,
          tierReady: (tier) => {
            if (tier === 'kafka') bootstrap('topics');
            if (tier === 'postgres') bootstrap('postgres');
            if (tier === 'opensearch') bootstrap('index');
          },
          startPostgres: async (phase, c, monitor) => {
            if (phase === 'monitor') {
              run(c, await prepareMonitor(ctx, c));
            } else {
              const s = await prepareKeeper(ctx, c, monitor);
              run(c, s.first, s.restart);
            }
          },
          startServices: async () => {
            for (const part of ['topics', 'postgres', 'index'] as const) bootstrap(part);
            await Promise.all(parts.values());
            const bundle = await bundleServices();
            log(`services: system/ compiled to ${bundle.file} in ${bundle.ms} ms`);
            for (const c of of('service')) run(c, prepareService(ctx, c));
          },
          startHaproxy: async () => {
            for (const c of of('haproxy')) run(c, prepareHaproxy(ctx, c));
          },
        });
      } finally {
        await observer.close();
      }
      state.phase = 'up';
      this.save(state);
      return { readyMs: Date.now() - started, topology };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log(`up failed: ${reason}; cleaning up`);
      await this.down({ force: false }).catch(() => {});
      if (err instanceof WindshearError) throw err;
      // A directory a component user cannot reach shows in its tool's words ("Permission
      // denied"); say which directory, which user and which permission instead.
      const access = await accessChecks(topology).catch(() => ({ problems: [] }));
      if (access.problems.length > 0) throw new WindshearError(access.problems, EXIT.internal);
      throw internal(
        'up-failed',
        `bringing the stack up failed: ${reason}`,
        `look at the component logs in ${paths.logsDir()} (kept after cleanup), then run \`windshear doctor\``,
      );
    }
  }

  /** The topology `up` would bring up now (doctor checks its ports and users before). */
  plannedTopology(profile: Profile): Topology {
    return buildTopology({
      profile,
      network: chooseNetwork(this.opts.network),
      services: this.opts.services ?? existsSync(join(REPO_ROOT, 'system', 'main.ts')),
      ...(process.env.WINDSHEAR_SUBNET ? { subnet: process.env.WINDSHEAR_SUBNET } : {}),
    });
  }

  private async checkInstalled(): Promise<void> {
    const missing = [];
    for (const inst of [kafkaInstaller(), opensearchInstaller()]) {
      const d = await inst.detect();
      if (!d.ok)
        missing.push({
          code: 'not-installed',
          message: `${inst.title} is not installed`,
          fix: 'run `windshear setup`',
        });
    }
    if (missing.length) throw new WindshearError(missing);
  }

  async down(
    opts: { force?: boolean; onProgress?: (line: string) => void } = {},
  ): Promise<{ removed: string[]; leftAlone?: string[] }> {
    const log = opts.onProgress ?? (() => {});
    // A stack brought up before state moved out of the checkout (root) is still found.
    const legacy = !process.env.WINDSHEAR_STATE && paths.legacyStateFile() !== paths.stateFile();
    const stateFile =
      this.state() || !legacy || !existsSync(paths.legacyStateFile())
        ? paths.stateFile()
        : paths.legacyStateFile();
    const state = readState(stateFile);
    const removed: string[] = [];
    const comps = state ? Object.entries(state.components) : [];
    // Resume first: a stopped process does not act on SIGKILL until continued in some kernels' views of it.
    for (const [, c] of comps) if (c.pid) signalGroup(c.pid, 'SIGCONT');
    for (const [name, c] of comps) {
      if (c.pid && signalGroup(c.pid, 'SIGKILL')) removed.push(`process ${name} (${c.pid})`);
    }
    // Without a state of its own, down sweeps every ws-* namespace, link and rule, unless another
    // checkout's stack is up: those are its, and it is left alone (`--force` sweeps regardless).
    const others = opts.force || state ? [] : otherLiveStacks(stateDir());
    const leftAlone = others.map(
      (o) =>
        `the stack of ${o.checkout ?? o.stateDir} (up since ${o.createdAt}): run \`windshear down\` there, or \`down --force\` here to remove it too`,
    );
    for (const l of leftAlone) log(`left alone: ${l}`);
    const sweep = opts.force || (!state && others.length === 0);
    const namespaces = new Set([...(state?.netns ?? []), ...(sweep ? await listNamespaces() : [])]);
    for (const ns of namespaces) {
      for (const pid of await namespacePids(ns)) {
        try {
          process.kill(pid, 'SIGKILL');
          removed.push(`process ${pid} in ${ns}`);
        } catch {
          // gone
        }
      }
    }
    // Children that left their process group (postgres under pg_autoctl) still name the data root;
    // a load engine this checkout started names it as its owner.
    const dataRoot = state?.dataRoot ?? paths.dataRoot();
    for (const pid of [...pidsMentioning(dataRoot), ...pidsMentioning(paths.engineOwner())]) {
      try {
        process.kill(pid, 'SIGKILL');
        removed.push(`process ${pid}`);
      } catch {
        // gone
      }
    }
    await waitGone(
      comps.map(([, c]) => c.pid).filter((p): p is number => p !== null),
      5000,
    );
    const links = [...(state?.links ?? [])];
    if (sweep) links.push('ws-br0', 'ws-a-h', 'ws-b-h', 'ws-c-h');
    removed.push(...(await removeNetwork([...namespaces], [...new Set(links)])));
    const bridges = new Set([...(state?.firewall ?? []), ...(sweep ? ['ws-br0'] : [])]);
    for (const b of bridges) removed.push(...(await removeBridgeAccept(b)));
    if (existsSync(dataRoot)) {
      rmSync(dataRoot, { recursive: true, force: true });
      removed.push(`data ${dataRoot}`);
    }
    if (state) {
      removeState(stateFile);
      removed.push(`state ${stateFile}`);
    }
    rmSync(paths.journal(), { force: true });
    log(removed.length ? `removed ${removed.length} objects` : 'nothing to remove');
    return { removed, ...(leftAlone.length ? { leftAlone } : {}) };
  }

  async collectLogs(): Promise<string> {
    return paths.logsDir();
  }

  async status(): Promise<ComponentStatus[]> {
    const state = this.state();
    if (!state) return [];
    return liveStatus(state.topology, (c) => {
      const cs = state.components[c.name];
      const pid = cs?.pid ?? null;
      const proc = pid === null ? null : procState(pid);
      const health: ComponentStatus['health'] =
        proc === null || proc === 'Z'
          ? cs?.stopped
            ? 'stopped'
            : 'down'
          : proc === 'T'
            ? 'paused'
            : 'healthy';
      return { pid, health, ...(cs?.overrides ? { overrides: cs.overrides } : {}) };
    });
  }

  // ---- primitives used by faults ----------------------------------------------------------

  private component(name: string): { state: LocalState; spec: ComponentSpec; cs: ComponentState } {
    const state = this.state();
    if (!state) throw badInput('not-up', 'no windshear stack is up', 'run `windshear up` first');
    const spec = state.topology.components.find((c) => c.name === name);
    const cs = state.components[name];
    if (!spec || !cs) {
      throw badInput(
        'outside-topology',
        `${name} is not a component of the stack windshear brought up`,
        `pick one of: ${state.topology.components.map((c) => c.name).join(', ')}`,
      );
    }
    return { state, spec, cs };
  }

  async kill(name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<StepResult> {
    const { state, cs } = this.component(name);
    const action = `${signal === 'SIGKILL' ? 'kill -9' : 'kill -TERM'} ${name}`;
    if (cs.pid === null || !isAlive(cs.pid)) return { action, exitCode: 0, detail: 'already stopped' };
    signalGroup(cs.pid, 'SIGCONT');
    signalGroup(cs.pid, signal);
    cs.stopped = signal === 'SIGKILL' ? 'killed' : 'terminated';
    cs.paused = false;
    this.save(state);
    // Wait for the exit either way, so a `start` right after (restart) really starts it again.
    const gone = await waitGone([cs.pid], signal === 'SIGKILL' ? 5000 : 30_000);
    return gone
      ? { action, exitCode: 0, detail: `pid ${cs.pid}` }
      : { action, exitCode: 1, detail: `pid ${cs.pid} still running after ${signal}` };
  }

  async pause(name: string): Promise<StepResult> {
    const { state, cs } = this.component(name);
    const ok = cs.pid !== null && signalGroup(cs.pid, 'SIGSTOP');
    cs.paused = ok;
    this.save(state);
    return {
      action: `pause ${name}`,
      exitCode: ok ? 0 : 1,
      detail: ok ? `SIGSTOP pid ${cs.pid}` : 'not running',
    };
  }

  async resume(name: string): Promise<StepResult> {
    const { state, cs } = this.component(name);
    const ok = cs.pid !== null && signalGroup(cs.pid, 'SIGCONT');
    cs.paused = false;
    this.save(state);
    return { action: `resume ${name}`, exitCode: 0, detail: ok ? `SIGCONT pid ${cs.pid}` : 'not running' };
  }

  async start(name: string): Promise<StepResult> {
    const { state, cs } = this.component(name);
    if (cs.pid !== null && isAlive(cs.pid)) {
      return { action: `start ${name}`, exitCode: 0, detail: `already running (pid ${cs.pid})` };
    }
    cs.pid = launch(withOverrides(cs));
    delete cs.stopped;
    cs.paused = false;
    this.save(state);
    return { action: `start ${name}`, exitCode: 0, detail: `pid ${cs.pid}` };
  }

  async reconfigure(name: string, env: Record<string, string>): Promise<StepResult> {
    const { spec } = this.component(name);
    const shown = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const action = shown.length
      ? `reconfigure ${name} ${shown.join(' ')}`
      : `reconfigure ${name} as configured`;
    if (spec.kind !== 'service')
      return { action, exitCode: 1, detail: `${name} is a ${spec.kind}; only services are reconfigured` };
    const stopped = await this.kill(name, 'SIGTERM');
    if (stopped.exitCode !== 0) return { ...stopped, action };
    const { state, cs } = this.component(name);
    if (shown.length) cs.overrides = { ...env };
    else delete cs.overrides;
    this.save(state);
    const started = await this.start(name);
    if (started.exitCode !== 0) return { ...started, action };
    // The next fault should meet the service running with its new setting, not still starting.
    const url = `http://${spec.host}:${spec.ports.http}/readyz`;
    const ready = await waitFor(
      async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok,
      30_000,
    );
    return {
      ...started,
      action,
      detail: `${started.detail ?? ''}${ready ? ', ready' : ', not ready after 30 s'}`,
    };
  }

  private requireNetns(state: LocalState, az: AzName): string {
    const ns = state.topology.azs.find((a) => a.name === az)?.namespace;
    if (!ns) {
      throw badInput(
        'capability',
        `network faults need network namespaces: ${this.capabilities().missing.networkFaults}`,
        'run as root',
      );
    }
    return ns;
  }

  async partition(spec: PartitionSpec): Promise<StepResult & { id: string }> {
    const state = this.state();
    if (!state) throw badInput('not-up', 'no windshear stack is up', 'run `windshear up` first');
    const netns = this.requireNetns(state, spec.az);
    const id = `p-${randomBytes(4).toString('hex')}`;
    state.rules[id] = { kind: 'partition', spec, netns };
    this.save(state);
    const r = await applyPartition(state.topology, ipNetns(netns), id, spec);
    return { ...r, id };
  }

  async shape(spec: ShapeSpec): Promise<StepResult & { id: string }> {
    const state = this.state();
    if (!state) throw badInput('not-up', 'no windshear stack is up', 'run `windshear up` first');
    const netns = this.requireNetns(state, spec.az);
    const id = `s-${randomBytes(4).toString('hex')}`;
    state.rules[id] = { kind: 'shape', spec, netns };
    this.save(state);
    const r = await applyShape(state.topology, netns, id, spec, (pid) => {
      const rule = state.rules[id];
      if (rule?.kind === 'shape') rule.helperPid = pid;
      this.save(state);
    });
    return { ...r, id };
  }

  async heal(id: string): Promise<StepResult> {
    const state = this.state();
    const rule = state?.rules[id];
    if (!state || !rule) return { action: `heal ${id}`, exitCode: 0, detail: 'already healed' };
    const r = await removeRule(rule, id);
    delete state.rules[id];
    this.save(state);
    return r;
  }

  async azDown(az: AzName): Promise<StepResult> {
    const state = this.state();
    if (!state) throw badInput('not-up', 'no windshear stack is up', 'run `windshear up` first');
    const ns = this.requireNetns(state, az);
    // The network goes first, as in a real AZ loss: peers see silence (timeouts), never the
    // resets and FINs of processes that die while their link is still up, which would tell the
    // survivors at once and make the outage gentler than the failure it stands for.
    const link = await setLink(hostVeth(az), false);
    const pids = await namespacePids(ns);
    for (const pid of pids) signalGroup(pid, 'SIGKILL');
    for (const c of state.topology.components.filter((x) => x.az === az)) {
      const cs = state.components[c.name];
      if (cs) cs.stopped = 'killed';
    }
    this.save(state);
    await waitGone(pids, 5000);
    return {
      action: `az-down ${az}`,
      exitCode: link.exitCode,
      detail: `${hostVeth(az)} down, then killed ${pids.length} processes`,
    };
  }

  async azUp(az: AzName): Promise<StepResult> {
    const state = this.state();
    if (!state) throw badInput('not-up', 'no windshear stack is up', 'run `windshear up` first');
    this.requireNetns(state, az);
    const link = await setLink(hostVeth(az), true);
    const inAz = state.topology.components
      .filter((c) => c.az === az)
      .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    const started: string[] = [];
    for (const c of inAz) {
      const r = await this.start(c.name);
      if (!r.detail?.startsWith('already')) started.push(c.name);
    }
    return {
      action: `az-up ${az}`,
      exitCode: link.exitCode,
      detail: `${hostVeth(az)} up, started ${started.join(', ')}`,
    };
  }
}

/** True when every pid exited within `timeoutMs`. */
async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((p) => isAlive(p))) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * Kept for bench/ (owned elsewhere) until it moves to `platformFor('local')` (../platform-for.ts),
 * which every other caller uses.
 */
export function localPlatform(opts: LocalPlatformOptions = {}): Platform {
  return new LocalPlatform(opts);
}

export { stateDir };

/**
 * The state directory and the data root, made 0755 whatever the umask: components running as
 * other users pass through them. Directories windshear chose itself (not WINDSHEAR_STATE) are
 * put back to 0755 if something changed them.
 */
function makeStateDirs(): void {
  const { dir, source } = stateDirInfo();
  const ours = source === 'system' ? [SYSTEM_STATE_BASE, dir] : source === 'checkout' ? [dir] : [];
  for (const d of [...ancestors(dir), paths.dataRoot()]) {
    if (existsSync(d)) {
      if (ours.includes(d) || d === paths.dataRoot()) chmodSync(d, 0o755);
      continue;
    }
    mkdirSync(d);
    chmodSync(d, 0o755);
  }
}

/** A component's launch spec with the overrides a `reconfigure` fault set, if any. */
function withOverrides(cs: ComponentState): LaunchSpec {
  return cs.overrides ? { ...cs.launch, env: { ...cs.launch.env, ...cs.overrides } } : cs.launch;
}
