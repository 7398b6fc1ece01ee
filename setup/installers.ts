import { aptInstaller } from './apt.ts';
import type { Installer } from './installer.ts';
import { kafkaInstaller, opensearchInstaller } from './maven.ts';
import { npmInstaller } from './npm-deps.ts';
import { toolchains } from './toolchains.ts';
import { wsLoadInstaller } from './ws-load.ts';
import { wsNetemInstaller } from './ws-netem.ts';

/** Everything setup checks, in install order: toolchains first, then what they fetch. */
export function allInstallers(): Installer[] {
  return [
    ...toolchains,
    npmInstaller(),
    aptInstaller(),
    kafkaInstaller(),
    opensearchInstaller(),
    wsLoadInstaller(),
    wsNetemInstaller(),
  ];
}
