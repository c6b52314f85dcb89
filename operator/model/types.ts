/**
 * The normalized, proxy-neutral model of one Gateway: what a driver renders, and nothing else.
 *
 * Everything here is plain readonly data, sorted by the resolver (see sort.ts), so the same
 * inputs always produce the same bytes once rendered. No Kubernetes object reaches a driver:
 * only these types. Identifiers (`RouteRule.id`, `Upstream.name`) are built by names.ts and
 * match `SAFE_IDENTIFIER`, so a driver may use them as config names without quoting; every
 * other string (hostnames, paths, header values) is user input and must go through the
 * driver's quoting helper.
 */

export interface NamespacedName {
  readonly namespace: string;
  readonly name: string;
}

export type DriverName = 'nginx' | 'haproxy';

/** Tuning that comes from a DataPlaneConfig; every field has a default the driver applies. */
export interface ProxySettings {
  /** Seconds old workers may keep serving in-flight requests after a reload or at shutdown. */
  readonly drainTimeoutSeconds: number;
  /** nginx `worker_processes` / HAProxy `nbthread`; undefined means one per available CPU. */
  readonly workers?: number;
}

export interface GatewayModel {
  readonly gateway: NamespacedName;
  /** Which driver renders this Gateway: from its class's DataPlaneConfig, else the default. */
  readonly driver: DriverName;
  readonly settings: ProxySettings;
  /** One entry per distinct listener port, sorted by port. */
  readonly ports: readonly ListenerPort[];
  /** Every upstream a rule forwards to, sorted by name, each listed once. */
  readonly upstreams: readonly Upstream[];
}

/** Listeners sharing a port are merged into one entry; later issues add TLS passthrough and L4. */
export type ListenerPort = HttpListenerPort;

export interface HttpListenerPort {
  readonly kind: 'http';
  readonly port: number;
  /**
   * Virtual hosts, most specific first: exact hostnames, then wildcards from the longest
   * suffix to the shortest, then the catch-all `*`. A request goes to the first one whose
   * hostname matches its Host header (port ignored, case-insensitive); none matching is a 404.
   */
  readonly virtualHosts: readonly VirtualHost[];
}

export interface VirtualHost {
  /** `a.example.com` (exact), `*.example.com` (one or more labels before the suffix) or `*`. */
  readonly hostname: string;
  /** The Gateway listener that owns requests for this hostname. */
  readonly listener: string;
  /**
   * Every rule that can serve a request routed to this host, in the spec's precedence order:
   * the first rule whose match holds wins. No rule matching is a 404.
   */
  readonly rules: readonly RouteRule[];
}

export interface RouteRule {
  /** Unique within the Gateway; stable across reconciles for the same route rule and match. */
  readonly id: string;
  readonly source: RuleSource;
  readonly match: RequestMatch;
  readonly action: RuleAction;
}

/** Where a rule came from, so that a proxy error can be traced back to the route that caused it. */
export interface RuleSource {
  readonly kind: 'HTTPRoute';
  readonly route: NamespacedName;
  /** Index of the rule in `spec.rules`. */
  readonly rule: number;
  /** Index of the match in the rule's `matches`. */
  readonly match: number;
}

export interface RequestMatch {
  readonly path: PathMatch;
}

export type PathMatch = Readonly<
  /** The request path equals `value`. */
  | { type: 'Exact'; value: string }
  /**
   * The path starts with `value` element by element: `/foo` matches `/foo` and `/foo/bar`,
   * never `/foobar`. `value` is `/` or has no trailing slash (the resolver trims it).
   */
  | { type: 'PathPrefix'; value: string }
>;

export type RuleAction = Readonly<
  /** Spread requests over `backends` in proportion to their weights (total > 0). */
  | { kind: 'forward'; backends: readonly WeightedBackend[] }
  /** Answer with `status` and an empty body: a rule with no usable backend answers 500. */
  | { kind: 'fixedResponse'; status: number }
>;

export type WeightedBackend = Readonly<
  /** A resolved Service port. */
  | { kind: 'upstream'; upstream: string; weight: number }
  /** A backendRef that did not resolve: its share of requests must get a 500. */
  | { kind: 'invalid'; weight: number }
>;

export interface Upstream {
  /** `<namespace>_<service>_<port>`; see names.ts. */
  readonly name: string;
  readonly service: NamespacedName;
  /** The Service port the route refers to (not the target port). */
  readonly port: number;
  /** Ready endpoints, sorted; empty means the Service exists but nothing serves it (503). */
  readonly endpoints: readonly Endpoint[];
}

export interface Endpoint {
  readonly family: 'IPv4' | 'IPv6';
  readonly address: string;
  readonly port: number;
}
