import { HTTP_SERVICES, type Topology } from '../../../../system/topology.ts';

/**
 * The AZ-aware ingress: one frontend on the host, one backend per HTTP service with every
 * replica in every AZ, health-checked on /readyz. A replica that fails two checks (1 s apart)
 * leaves rotation and its sessions are shut; a whole AZ down leaves the other two serving.
 * /readyz answers from the service's background readiness (system/lib/readiness.ts), so a check
 * costs the replica no dependency calls.
 *
 * Logging: only the backends log (`log global`), at `notice` and above, to stderr (the component
 * log) in RFC 5424 with microsecond timestamps: that is HAProxy's own record of each server going
 * DOWN and back UP, the truth of per-endpoint calibration (lib/run-store/parse-haproxy-log.ts). No
 * frontend logs, so requests are never logged: a few lines per health change, nothing per request.
 */
export function haproxyConfig(topology: Topology, adminSocket: string): string {
  const services = topology.components.filter((c) => c.kind === 'service');
  const out: string[] = [
    'global',
    '  maxconn 8000', // 2 fds per connection: fits this machine's 20,000-fd hard limit
    `  stats socket ${adminSocket} mode 600 level admin`,
    '  log stderr format rfc5424 local0 notice',
    '  nbthread 2',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    // /readyz answers from memory (the service checks its dependencies in the background), but a
    // replica starved of CPU on this 2-core machine can take over a second: 3 s keeps such a
    // replica in rotation. A check's connect is still bounded by `timeout connect` (1 s).
    '  timeout check 3s',
    '  retries 2',
    '  option redispatch',
    // Connections to the replicas are kept and reused across requests and clients (a new
    // connection per request cost the replicas more than most answers). `aggressive` sends a
    // client's first request only over a connection already proven by reuse; HAProxy purges idle
    // ones (pool-purge-delay 5 s) long before Node closes them (Fastify keep-alive 72 s).
    '  option http-keep-alive',
    '  http-reuse aggressive',
    // A client that gave up (k6 times out at 10 s) takes its request with it: without this,
    // the requests queued during a pause or overload reach the replicas after the client left,
    // and the replicas work through that backlog while new requests wait behind it.
    '  option abortonclose',
    '',
    'frontend edge',
    `  bind ${topology.edge.host}:${topology.edge.port}`,
  ];
  for (const svc of HTTP_SERVICES) {
    out.push(`  acl is_${svc.service.replace(/-/g, '_')} path_beg ${svc.paths.join(' ')}`);
    out.push(`  use_backend ${svc.service} if is_${svc.service.replace(/-/g, '_')}`);
  }
  out.push('  default_backend search-api', '');
  for (const svc of HTTP_SERVICES) {
    out.push(
      `backend ${svc.service}`,
      // Search caches candidates per query in each replica (system/search/candidate-cache.ts):
      // the same query goes to the same replica (consistent hash of path and query, so a replica
      // leaving moves only its own share; a bound of 1.5× the mean load keeps a hot query from
      // piling onto one replica), and a cold query costs one index fetch instead of one per replica.
      ...(svc.service === 'search-api'
        ? ['  balance uri whole', '  hash-type consistent', '  hash-balance-factor 150']
        : ['  balance roundrobin']),
      '  log global',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      '  default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2 on-marked-down shutdown-sessions',
    );
    for (const s of services.filter((c) => c.service === svc.service)) {
      out.push(`  server ${s.name} ${s.host}:${s.ports.http} check # ${s.az}`);
    }
    out.push('');
  }
  out.push(
    'frontend stats',
    `  bind ${topology.edge.host}:${topology.edge.statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    '  stats refresh 5s',
    '',
  );
  return out.join('\n');
}
