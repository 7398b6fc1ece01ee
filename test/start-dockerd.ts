/** Tests start dockerd through the compose platform's helper (chaos/platforms/compose/dockerd.ts). */
export { type Dockerd, startDockerd } from '../chaos/platforms/compose/dockerd.ts';
