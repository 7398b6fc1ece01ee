/** Pinned versions of every component setup installs. Bump here, nowhere else. */
export const VERSIONS = {
  kafka: '4.3.1',
  opensearchRunner: '2.19.1.0',
  /** vegeta (MIT), the library inside ws-load; pinned by loadgen/ws-load/go.mod and go.sum. */
  vegeta: 'v12.13.0',
  mavenDependencyPlugin: '3.8.1',
  /** Docker Compose v2+ (github.com/docker/compose/v5), built from the Go module proxy for --platform compose. */
  compose: 'v5.6.0',
} as const;

/** Debian packages the compose platform needs besides APT_PACKAGES: the daemon and the base image's debootstrap. */
export const COMPOSE_APT_PACKAGES = ['docker.io', 'debootstrap'] as const;

/** Debian packages: servers, network tools, and Chromium for the report browser test. */
export const APT_PACKAGES = [
  'postgresql-15',
  'postgresql-15-auto-failover',
  'pg-auto-failover-cli',
  'redis-server',
  'redis-sentinel',
  'haproxy',
  'iproute2',
  'nftables',
  'iptables',
  'procps',
  'chromium',
] as const;
