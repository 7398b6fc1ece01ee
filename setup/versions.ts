/** Pinned versions of every component setup installs. Bump here, nowhere else. */
export const VERSIONS = {
  kafka: '4.3.1',
  opensearchRunner: '2.19.1.0',
  /** k6 v2.3.0's module zip is not served by the Go module proxy; v2.2.0 is. */
  k6: 'v2.2.0',
  mavenDependencyPlugin: '3.8.1',
} as const;

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
