import type { ContainerRuntimeClient } from 'testcontainers';
import { internal, WindshearError } from '../../../lib/errors.ts';
import { LABELS } from './compose-file.ts';

/** The Docker Engine API client (dockerode, through testcontainers' runtime client). */
export type Docker = ContainerRuntimeClient['container']['dockerode'];
type Inspect = Awaited<ReturnType<ReturnType<Docker['getContainer']>['inspect']>>;

/** The Docker daemon as testcontainers finds it (DOCKER_HOST, else the local socket). */
export async function connectDocker(): Promise<Docker> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    return (await getContainerRuntimeClient()).container.dockerode;
  } catch (err) {
    throw internal(
      'docker-unreachable',
      `no Docker daemon answers: ${err instanceof Error ? err.message : String(err)}`,
      'start one (`dockerd --iptables=false &`, compose/README.md), or set DOCKER_HOST',
    );
  }
}

/**
 * The blast-radius guard: why a container with these labels is not this project's to touch, or
 * null when it is. Every action on a container goes through `ProjectDocker`, which asks this
 * first (pure, unit-tested).
 */
export function outsideProject(
  labels: Record<string, string> | null | undefined,
  project: string,
  component?: string,
): string | null {
  const own = labels?.[LABELS.project];
  if (own !== project)
    return own ? `it belongs to project "${own}", not "${project}"` : `it has no ${LABELS.project} label`;
  if (component !== undefined && labels?.[LABELS.component] !== component)
    return `its ${LABELS.component} label is "${labels?.[LABELS.component] ?? ''}", not "${component}"`;
  return null;
}

export interface ProjectContainer {
  id: string;
  component: string;
  info: Inspect;
}

/** Docker, only as far as containers, networks and volumes labeled with one project. */
export class ProjectDocker {
  constructor(
    readonly docker: Docker,
    readonly project: string,
  ) {}

  private filter(extra: string[] = []) {
    return { label: [`${LABELS.project}=${this.project}`, ...extra] };
  }

  /** Every container of the project, running or not. */
  async containers(): Promise<{ id: string; component: string; state: string }[]> {
    const list = await this.docker.listContainers({ all: true, filters: this.filter() });
    return list.map((c) => ({ id: c.Id, component: c.Labels[LABELS.component] ?? '', state: c.State }));
  }

  /** The project's container of one component, inspected and checked by the guard; null when none exists. */
  async find(component: string): Promise<ProjectContainer | null> {
    const list = await this.docker.listContainers({
      all: true,
      filters: this.filter([`${LABELS.component}=${component}`]),
    });
    const first = list[0];
    if (!first) return null;
    const info = await this.docker.getContainer(first.Id).inspect();
    const why = outsideProject(info.Config.Labels, this.project, component);
    if (why)
      throw new WindshearError(
        {
          code: 'blast-radius',
          message: `refusing to touch container ${info.Name}: ${why}`,
          fix: 'only containers `windshear up --platform compose` created are acted on; remove the stray label',
        },
        255,
      );
    return { id: first.Id, component, info };
  }

  async get(component: string): Promise<ProjectContainer> {
    const c = await this.find(component);
    if (!c)
      throw internal(
        'container-missing',
        `no container of project ${this.project} for ${component}`,
        'run `windshear down --platform compose`, then `windshear up --platform compose`',
      );
    return c;
  }

  container(c: ProjectContainer) {
    return this.docker.getContainer(c.id);
  }

  async networks(): Promise<{ id: string; name: string }[]> {
    const list = await this.docker.listNetworks({ filters: this.filter() });
    return list.map((n) => ({ id: n.Id, name: n.Name }));
  }

  async volumes(): Promise<string[]> {
    const r = await this.docker.listVolumes({ filters: this.filter() });
    return (r.Volumes ?? []).map((v) => v.Name);
  }
}
