import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { badInput, internal, WindshearError } from '../../../lib/errors.ts';
import { exec, isRoot, waitFor } from '../../../lib/exec.ts';
import { isExecutable, paths, stateDir } from '../../../lib/paths.ts';
import type { AzName } from '../../../lib/run-format.ts';
import { AZS, type ComponentSpec, type Profile, type Topology } from '../../../system/topology.ts';
import { liveStatus } from '../live-status.ts';
import {
  applyPartition,
  applyShapeOn,
  type NetnsRunner,
  nsenterNet,
  type PartitionPlace,
  removePartition,
  removeShapeOn,
  stopHelper,
} from '../local/net-faults.ts';
import { readState } from '../local/state-file.ts';
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
import { composeFile } from './compose-file.ts';
import { composeReady } from './compose-readiness.ts';
import {
  type ComposeRule,
  type ComposeState,
  composeStateFile,
  readComposeState,
  removeComposeState,
  writeComposeState,
} from './compose-state.ts';
import { COMPOSE_NETWORK, COMPOSE_PROJECT, composeTopology } from './compose-topology.ts';
import { demuxLogs } from './container-logs.ts';
import { buildImages } from './image-builder.ts';
import { connectDocker, type ProjectContainer, ProjectDocker } from './project-docker.ts';

/** Start order inside an AZ after an outage (as the local platform's). */
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

/** The interface inside every container of the project's network. */
const CONTAINER_DEV = 'eth0';

/** Compose v2+ as `windshear setup --platform compose` installs it, else one on PATH. */
export function composeBinary(): string | null {
  const cached = paths.bin('docker-compose');
  return isExecutable(cached) ? cached : null;
}

/** Each AZ's /24 and the edge's (the host's gateway address, HAProxy, bootstrap) inside the project network. */
export function azCidr(peer: AzName | 'edge'): string {
  const octet = peer === 'edge' ? 0 : AZS.indexOf(peer) + 1;
  return `${COMPOSE_NETWORK.prefix}.${octet}.0/24`;
}

export const COMPOSE_PLACE: PartitionPlace = { dev: CONTAINER_DEV, peerAddress: azCidr };

/**
 * The topology as the harness reaches it from the host: container addresses on the project's
 * bridge, the edge at HAProxy's own (not the port published on 127.0.0.1, whose userland proxy
 * would sit between the load engine and the platform).
 */
export function hostView(t: Topology): Topology {
  const haproxy = t.components.find((c) => c.kind === 'haproxy');
  return { ...t, edge: { ...t.edge, host: haproxy?.host ?? '127.0.0.1' } };
}

export class ComposePlatform implements Platform {
  readonly name = 'compose' as const;
  private client: Promise<ProjectDocker> | null = null;

  constructor(private readonly project: string = COMPOSE_PROJECT) {}

  private docker(): Promise<ProjectDocker> {
    this.client ??= connectDocker().then((d) => new ProjectDocker(d, this.project));
    // A failed connection is not kept: the next call tries again.
    this.client.catch(() => {
      this.client = null;
    });
    return this.client;
  }

  private state(): ComposeState | null {
    return readComposeState();
  }

  private save(state: ComposeState): void {
    writeComposeState(state);
  }

  private requireState(): ComposeState {
    const s = this.state();
    if (!s)
      throw badInput(
        'not-up',
        'no windshear stack is up on compose',
        'run `windshear up --platform compose`',
      );
    return s;
  }

  current(): Topology | null {
    return this.state()?.topology ?? null;
  }

  plannedTopology(profile: Profile): Topology {
    return hostView(composeTopology(profile));
  }

  capabilities(): Capabilities {
    const why =
      "not root: network faults enter the containers' network namespaces (nsenter), which needs root";
    const root = isRoot();
    return {
      processFaults: true,
      networkFaults: root,
      azOutage: root,
      missing: root ? {} : { networkFaults: why, azOutage: why },
    };
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async up(opts: UpOptions): Promise<UpResult> {
    const log = opts.onProgress ?? (() => {});
    const started = Date.now();
    const problems = [];
    const existing = this.state();
    if (existing)
      problems.push({
        code: 'already-up',
        message: `a windshear stack (profile ${existing.topology.profile}) is already up on compose since ${existing.createdAt}`,
        fix: 'use it as it is, or run `windshear down --platform compose` first',
      });
    if (readState(paths.stateFile()))
      problems.push({
        code: 'stack-slot',
        message: `the local platform's stack is up (${paths.stateFile()}); both publish the edge on 127.0.0.1:18080`,
        fix: 'run `windshear down --platform local` first',
      });
    const compose = composeBinary();
    if (!compose)
      problems.push({
        code: 'not-installed',
        message: `Docker Compose v2+ is not installed (${paths.bin('docker-compose')})`,
        fix: 'run `windshear setup --platform compose`',
      });
    if (problems.length) throw new WindshearError(problems);
    const pd = await this.docker();
    const left = await pd.containers();
    if (left.length)
      throw badInput(
        'stale-containers',
        `${left.length} containers labeled ${this.project} are left from an earlier stack (${left
          .slice(0, 4)
          .map((c) => c.component)
          .join(', ')}${left.length > 4 ? ', ...' : ''})`,
        'run `windshear down --platform compose`',
      );

    const topology = this.plannedTopology(opts.profile);
    log('images: building what is missing (cached by content)');
    const built = await buildImages({ profile: opts.profile, log: (l) => log(`images: ${l}`) });
    const n = built.filter((b) => b.state === 'built').length;
    log(`images: ${n} built, ${built.length - n} cached`);

    const dir = join(stateDir(), 'compose');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `compose-${opts.profile}.yaml`);
    writeFileSync(file, composeFile(composeTopology(opts.profile)));
    const state: ComposeState = {
      version: 1,
      createdAt: new Date().toISOString(),
      phase: 'starting',
      ownerPid: process.pid,
      project: this.project,
      topology,
      composeFile: file,
      components: {},
      rules: {},
    };
    this.save(state);
    log(`compose: up -d (${topology.components.length} containers and the bootstrap)`);
    // Compose repeats its state lines ("Container x Waiting") on every refresh: each once.
    const seen = new Set<string>();
    const r = await exec(
      compose!,
      // Without --wait: Docker's health checks run every 30 s (compose-file.ts), the readiness
      // checks below every 0.5 s. Compose still starts the services after the bootstrap's exit 0.
      ['--progress', 'plain', '-f', file, '-p', this.project, 'up', '-d'],
      {
        timeoutMs: 900_000,
        onLine: (l) => {
          const line = l.trim();
          if (!line || seen.has(line)) return;
          seen.add(line);
          log(`compose: ${line}`);
        },
      },
    );
    const notReady = r.exitCode === 0 ? await composeReady(topology, log) : null;
    if (r.exitCode !== 0 || notReady) {
      const logs = await this.collectLogs().catch(() => '(logs could not be fetched)');
      const why = notReady
        ? `the stack did not get ready: ${notReady}`
        : `docker compose up failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`;
      log(`up failed; cleaning up`);
      await this.down().catch(() => {});
      throw internal(
        'up-failed',
        why,
        `look at the container logs in ${logs} (kept after cleanup), then run \`windshear doctor\``,
      );
    }
    state.phase = 'up';
    this.save(state);
    return { readyMs: Date.now() - started, topology };
  }

  async down(
    opts: { force?: boolean; onProgress?: (line: string) => void } = {},
  ): Promise<{ removed: string[] }> {
    const log = opts.onProgress ?? (() => {});
    const state = this.state();
    const removed: string[] = [];
    // Delay helpers run in the host's pid namespace: a container's end does not end them.
    for (const rule of Object.values(state?.rules ?? {}))
      if (rule.kind === 'shape') for (const pid of Object.values(rule.helpers)) await stopHelper(pid);
    let pd: ProjectDocker;
    try {
      pd = await this.docker();
    } catch (err) {
      if (!state) return { removed };
      throw err;
    }
    const containers = await pd.containers();
    await Promise.all(
      containers.map(async (c) => {
        const container = pd.docker.getContainer(c.id);
        if (c.state === 'paused') await container.unpause().catch(() => {});
        await container.remove({ force: true, v: true });
        removed.push(`container ${c.component || c.id.slice(0, 12)}`);
      }),
    );
    for (const n of await pd.networks()) {
      await pd.docker.getNetwork(n.id).remove();
      removed.push(`network ${n.name}`);
    }
    for (const v of await pd.volumes()) {
      await pd.docker.getVolume(v).remove();
      removed.push(`volume ${v}`);
    }
    if (state) {
      rmSync(state.composeFile, { force: true });
      removeComposeState();
      removed.push(`state ${composeStateFile()}`);
    }
    rmSync(paths.journal(), { force: true });
    log(removed.length ? `removed ${removed.length} objects` : 'nothing to remove');
    return { removed };
  }

  async status(): Promise<ComponentStatus[]> {
    const state = this.state();
    if (!state) return [];
    const pd = await this.docker();
    const found = new Map(
      await Promise.all(state.topology.components.map(async (c) => [c.name, await pd.find(c.name)] as const)),
    );
    return liveStatus(state.topology, (c) => {
      const info = found.get(c.name)?.info;
      const cs = state.components[c.name];
      const s = info?.State;
      const health: ComponentStatus['health'] = !s
        ? 'down'
        : s.Paused
          ? 'paused'
          : s.Running
            ? s.Health?.Status === 'unhealthy'
              ? 'degraded'
              : 'healthy'
            : cs?.stopped
              ? 'stopped'
              : 'down';
      return {
        pid: s?.Running ? s.Pid : null,
        health,
        ...(cs?.overrides ? { overrides: cs.overrides } : {}),
      };
    });
  }

  async collectLogs(): Promise<string> {
    const dir = join(stateDir(), 'compose-logs');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const pd = await this.docker();
    for (const c of await pd.containers()) {
      if (!c.component) continue;
      const raw = (await pd.docker
        .getContainer(c.id)
        .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      writeFileSync(join(dir, `${c.component}.log`), demuxLogs(Buffer.from(raw)));
    }
    return dir;
  }

  // ---- process faults -------------------------------------------------------------------------

  private spec(state: ComposeState, name: string): ComponentSpec {
    const spec = state.topology.components.find((c) => c.name === name);
    if (!spec)
      throw badInput(
        'outside-topology',
        `${name} is not a component of the stack windshear brought up`,
        `pick one of: ${state.topology.components.map((c) => c.name).join(', ')}`,
      );
    return spec;
  }

  private async target(
    name: string,
  ): Promise<{ state: ComposeState; c: ProjectContainer; pd: ProjectDocker }> {
    const state = this.requireState();
    this.spec(state, name);
    const pd = await this.docker();
    return { state, c: await pd.get(name), pd };
  }

  private async waitStopped(pd: ProjectDocker, c: ProjectContainer, timeoutMs: number): Promise<boolean> {
    return (
      (await waitFor(async () => !(await pd.container(c).inspect()).State.Running, timeoutMs, 100)) === true
    );
  }

  async kill(name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<StepResult> {
    const { state, c, pd } = await this.target(name);
    const action = `${signal === 'SIGKILL' ? 'kill -9' : 'kill -TERM'} ${name}`;
    if (!c.info.State.Running) return { action, exitCode: 0, detail: 'already stopped' };
    const container = pd.container(c);
    state.components[name] = {
      ...state.components[name],
      stopped: signal === 'SIGKILL' ? 'killed' : 'terminated',
      paused: false,
    };
    this.save(state);
    if (c.info.State.Paused) await container.unpause();
    await container.kill({ signal });
    const gone = await this.waitStopped(pd, c, signal === 'SIGKILL' ? 5000 : 30_000);
    return gone
      ? { action, exitCode: 0, detail: `container ${c.id.slice(0, 12)} (pid ${c.info.State.Pid})` }
      : { action, exitCode: 1, detail: `container ${c.id.slice(0, 12)} still running after ${signal}` };
  }

  async pause(name: string): Promise<StepResult> {
    const { state, c, pd } = await this.target(name);
    const action = `pause ${name}`;
    if (!c.info.State.Running) return { action, exitCode: 1, detail: 'not running' };
    state.components[name] = { ...state.components[name], paused: true };
    this.save(state);
    if (!c.info.State.Paused) await pd.container(c).pause();
    return { action, exitCode: 0, detail: `freezer: container ${c.id.slice(0, 12)}` };
  }

  async resume(name: string): Promise<StepResult> {
    const { state, c, pd } = await this.target(name);
    const paused = c.info.State.Paused;
    if (paused) await pd.container(c).unpause();
    state.components[name] = { ...state.components[name], paused: false };
    this.save(state);
    return {
      action: `resume ${name}`,
      exitCode: 0,
      detail: paused ? `thawed container ${c.id.slice(0, 12)}` : 'not paused',
    };
  }

  async start(name: string): Promise<StepResult> {
    const { state, c, pd } = await this.target(name);
    const action = `start ${name}`;
    if (c.info.State.Running)
      return { action, exitCode: 0, detail: `already running (pid ${c.info.State.Pid})` };
    await pd.container(c).start();
    const cs = state.components[name];
    if (cs) {
      delete cs.stopped;
      cs.paused = false;
    }
    this.save(state);
    // A new container process has a new network namespace: the AZ's active rules go in again.
    const again = await this.reapplyRules(state, this.spec(state, name), c);
    return { action, exitCode: 0, detail: `container ${c.id.slice(0, 12)}${again}` };
  }

  /**
   * Recreates the service's container with the overrides added to its environment (`{}`: its
   * own environment again), at the same address with the same labels, and waits for /readyz.
   */
  async reconfigure(name: string, env: Record<string, string>): Promise<StepResult> {
    const state = this.requireState();
    const spec = this.spec(state, name);
    const shown = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const action = shown.length
      ? `reconfigure ${name} ${shown.join(' ')}`
      : `reconfigure ${name} as configured`;
    if (spec.kind !== 'service')
      return { action, exitCode: 1, detail: `${name} is a ${spec.kind}; only services are reconfigured` };
    const pd = await this.docker();
    const c = await pd.get(name);
    const cs = state.components[name] ?? {};
    state.components[name] = cs;
    const own = cs.env ?? c.info.Config.Env ?? [];
    const keys = new Set(Object.keys(env));
    const nextEnv = [...own.filter((e) => !keys.has(e.split('=')[0] ?? '')), ...shown];
    cs.env = own;
    if (shown.length) cs.overrides = { ...env };
    else delete cs.overrides;
    this.save(state);
    const container = pd.container(c);
    if (c.info.State.Paused) await container.unpause();
    if (c.info.State.Running) await container.stop({ t: 10 });
    await container.remove({ v: true });
    const endpoints = Object.fromEntries(
      Object.entries(c.info.NetworkSettings.Networks).map(([net, e]) => [
        net,
        { IPAMConfig: e.IPAMConfig ?? { IPv4Address: e.IPAddress }, Aliases: e.Aliases ?? [] },
      ]),
    );
    const created = await pd.docker.createContainer({
      ...c.info.Config,
      name: c.info.Name.replace(/^\//, ''),
      Env: nextEnv,
      HostConfig: c.info.HostConfig,
      NetworkingConfig: { EndpointsConfig: endpoints },
    });
    await created.start();
    delete cs.stopped;
    this.save(state);
    const url = `http://${spec.host}:${spec.ports.http}/readyz`;
    const ready = await waitFor(
      async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok,
      30_000,
    );
    const fresh = await pd.get(name);
    const again = await this.reapplyRules(state, spec, fresh);
    return {
      action,
      exitCode: 0,
      detail: `container recreated (${created.id.slice(0, 12)})${ready ? ', ready' : ', not ready after 30 s'}${again}`,
    };
  }

  // ---- network faults ----------------------------------------------------------------------

  private requireNet(): void {
    const caps = this.capabilities();
    if (!caps.networkFaults)
      throw badInput('capability', `network faults: ${caps.missing.networkFaults}`, 'run as root');
  }

  /** The network namespace of every running container of the AZ. */
  private async runners(state: ComposeState, az: AzName): Promise<{ name: string; ns: NetnsRunner }[]> {
    const pd = await this.docker();
    const inAz = state.topology.components.filter((x) => x.az === az);
    const found = await Promise.all(inAz.map((c) => pd.find(c.name)));
    return inAz.flatMap((c, i) => {
      const info = found[i]?.info;
      const pid = info?.State.Running ? info.State.Pid : 0;
      return pid > 0 ? [{ name: c.name, ns: nsenterNet(pid, `${c.name} (pid ${pid})`) }] : [];
    });
  }

  private async applyRule(
    state: ComposeState,
    id: string,
    rule: ComposeRule,
    target: { name: string; ns: NetnsRunner },
  ): Promise<StepResult> {
    if (rule.kind === 'partition')
      return applyPartition(state.topology, target.ns, id, rule.spec, COMPOSE_PLACE);
    return applyShapeOn({ ns: target.ns, dev: CONTAINER_DEV }, id, rule.spec, (pid) => {
      rule.helpers[target.name] = pid;
      this.save(state);
    });
  }

  private async reapplyRules(state: ComposeState, spec: ComponentSpec, c: ProjectContainer): Promise<string> {
    const rules = Object.entries(state.rules).filter(([, r]) => r.spec.az === spec.az);
    if (!rules.length || !isRoot()) return '';
    const info = await (await this.docker()).container(c).inspect();
    if (!info.State.Running || info.State.Pid <= 0) return '';
    const target = { name: spec.name, ns: nsenterNet(info.State.Pid, spec.name) };
    const failed: string[] = [];
    for (const [id, rule] of rules) {
      if (rule.kind === 'shape' && rule.helpers[spec.name]) await stopHelper(rule.helpers[spec.name]!);
      const r = await this.applyRule(state, id, rule, target);
      if (r.exitCode !== 0) failed.push(`${id}: ${r.detail ?? r.exitCode}`);
    }
    return `, ${rules.length - failed.length} active rule(s) applied again${failed.length ? ` (failed: ${failed.join('; ')})` : ''}`;
  }

  private async applyEverywhere(
    state: ComposeState,
    id: string,
    rule: ComposeRule,
  ): Promise<StepResult & { id: string }> {
    const targets = await this.runners(state, rule.spec.az);
    const results = await Promise.all(targets.map((t) => this.applyRule(state, id, rule, t)));
    const failed = results
      .map((r, i) => (r.exitCode !== 0 ? `${targets[i]!.name}: ${r.detail ?? r.action}` : null))
      .filter((x): x is string => x !== null);
    const first = results[0];
    return {
      id,
      action: `${first?.action ?? `${rule.kind} ${rule.spec.az}`} in ${targets.length} containers`,
      exitCode: failed.length || targets.length === 0 ? 1 : 0,
      detail:
        targets.length === 0
          ? `no running container in ${rule.spec.az}`
          : failed.join('; ') || targets.map((t) => t.name).join(', '),
    };
  }

  async partition(spec: PartitionSpec): Promise<StepResult & { id: string }> {
    this.requireNet();
    const state = this.requireState();
    const id = `p-${randomBytes(4).toString('hex')}`;
    const rule: ComposeRule = { kind: 'partition', spec };
    state.rules[id] = rule;
    this.save(state);
    return this.applyEverywhere(state, id, rule);
  }

  async shape(spec: ShapeSpec): Promise<StepResult & { id: string }> {
    this.requireNet();
    const state = this.requireState();
    const id = `s-${randomBytes(4).toString('hex')}`;
    const rule: ComposeRule = { kind: 'shape', spec, helpers: {} };
    state.rules[id] = rule;
    this.save(state);
    return this.applyEverywhere(state, id, rule);
  }

  async heal(id: string): Promise<StepResult> {
    const state = this.state();
    const rule = state?.rules[id];
    if (!state || !rule) return { action: `heal ${id}`, exitCode: 0, detail: 'already healed' };
    const targets = await this.runners(state, rule.spec.az);
    const problems: string[] = [];
    for (const t of targets) {
      const r =
        rule.kind === 'partition'
          ? await removePartition(t.ns, id)
          : await removeShapeOn({ ns: t.ns, dev: CONTAINER_DEV }, id, rule.spec, rule.helpers[t.name]);
      if (r.exitCode !== 0) problems.push(`${t.name}: ${r.detail ?? ''}`);
    }
    // Helpers of containers that stopped meanwhile hold a namespace nobody uses any more.
    if (rule.kind === 'shape') for (const pid of Object.values(rule.helpers)) await stopHelper(pid);
    delete state.rules[id];
    this.save(state);
    return {
      action: `heal ${id}`,
      exitCode: problems.length ? 1 : 0,
      detail: problems.length ? problems.join('; ') : `removed from ${targets.length} containers`,
    };
  }

  async azDown(az: AzName): Promise<StepResult> {
    this.requireNet();
    const state = this.requireState();
    const pd = await this.docker();
    const targets = await this.runners(state, az);
    // The network goes first, as in a real AZ loss: peers see silence, never the resets and
    // FINs of processes dying while their link is still up.
    const cut = await Promise.all(
      targets.map(async (t) => {
        const [cmd, ...args] = t.ns.wrap(['ip', 'link', 'set', CONTAINER_DEV, 'down']);
        return (await exec(cmd!, args, { timeoutMs: 10_000 })).exitCode;
      }),
    );
    for (const c of state.topology.components.filter((x) => x.az === az))
      state.components[c.name] = { ...state.components[c.name], stopped: 'killed', paused: false };
    this.save(state);
    const killed = await Promise.all(
      targets.map(async (t) => {
        const c = await pd.get(t.name);
        if (c.info.State.Paused) await pd.container(c).unpause();
        await pd.container(c).kill({ signal: 'SIGKILL' });
        return this.waitStopped(pd, c, 5000);
      }),
    );
    const notCut = cut.filter((x) => x !== 0).length;
    return {
      action: `az-down ${az}`,
      exitCode: notCut || killed.some((k) => !k) ? 1 : 0,
      detail: `${CONTAINER_DEV} down in ${targets.length - notCut} containers, then SIGKILL: ${targets.map((t) => t.name).join(', ')}`,
    };
  }

  async azUp(az: AzName): Promise<StepResult> {
    const state = this.requireState();
    const inAz = state.topology.components
      .filter((c) => c.az === az)
      .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    const started: string[] = [];
    let exitCode = 0;
    for (const c of inAz) {
      const r = await this.start(c.name);
      if (r.exitCode !== 0) exitCode = r.exitCode;
      if (!r.detail?.startsWith('already')) started.push(c.name);
    }
    return {
      action: `az-up ${az}`,
      exitCode,
      detail: `started ${started.join(', ') || 'nothing'} (new network namespaces, links up)`,
    };
  }
}
