import { join } from 'node:path';
import { COMPOSE_DOCKERD_ARGS, startDockerd } from '../chaos/platforms/compose/dockerd.ts';
import { type BuiltImage, buildImages } from '../chaos/platforms/compose/image-builder.ts';
import { internal } from '../lib/errors.ts';
import { stateDir } from '../lib/paths.ts';
import type { Profile } from '../system/topology.ts';
import { aptInstaller } from './apt.ts';
import { composeCliInstaller } from './compose-cli.ts';
import type { Installer } from './installer.ts';
import { COMPOSE_APT_PACKAGES } from './versions.ts';

/** What `setup --platform compose` installs besides the local platform's components. */
export function composeInstallers(): Installer[] {
  return [
    aptInstaller(COMPOSE_APT_PACKAGES, {
      id: 'compose-packages',
      title: 'Debian packages for the compose platform (docker.io, debootstrap)',
    }),
    composeCliInstaller(),
  ];
}

/**
 * The compose platform's images, each built only when its content key changed (an unchanged
 * one is re-tagged), with progress. A daemon already running is used; otherwise one is
 * started for the build (`dockerd --iptables=false`) and stopped after.
 */
export async function buildComposeImages(profile: Profile, log: (l: string) => void): Promise<BuiltImage[]> {
  const daemon = await startDockerd(join(stateDir(), 'setup-dockerd.log'), COMPOSE_DOCKERD_ARGS);
  if ('error' in daemon)
    throw internal(
      'docker-unreachable',
      `no Docker daemon for the image build: ${daemon.error}`,
      'run `windshear setup --platform compose` as root',
    );
  if (daemon.startedHere) log('images: started dockerd --iptables=false for the build (stopped after)');
  try {
    return await buildImages({ profile, log: (l) => log(`images: ${l}`) });
  } finally {
    await daemon.stop();
  }
}
