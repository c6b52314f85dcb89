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
  /** Every certificate an HTTPS port uses, sorted by id, each listed once. */
  readonly certificates: readonly Certificate[];
}

/** A TLS server certificate and its key, from a Secret; a driver writes it to a file of its own. */
export interface Certificate {
  /** sha256 of `pem`, hex: content-addressed, so it can name a file safely (SAFE_IDENTIFIER). */
  readonly id: string;
  /** The certificate chain (leaf first) followed by the private key, PEM. Secret: never log it. */
  readonly pem: string;
}

/** Listeners sharing a port are merged into one entry; later issues add TLS passthrough and L4. */
export type ListenerPort = HttpListenerPort;

export interface HttpListenerPort {
  readonly kind: 'http';
  readonly port: number;
  /** HTTPS terminates TLS on this port; every virtual host then names its certificates. */
  readonly protocol: 'HTTP' | 'HTTPS';
  /**
   * HTTPS only: the certificate for a TLS handshake whose SNI (or lack of one) matches no
   * virtual host: the catch-all virtual host's, else the first listener's.
   */
  readonly defaultCertificate?: string;
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
   * HTTPS only: ids of the certificates to offer for this hostname (a listener may carry several,
   * e.g. RSA and ECDSA). The TLS handshake picks the virtual host by SNI like the Host header.
   */
  readonly certificates: readonly string[];
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

/**
 * Everything in a match must hold. Header names are case-insensitive; header and query values
 * are compared case-sensitively. When a header or query parameter appears several times, the
 * first occurrence is the one matched.
 */
export interface RequestMatch {
  readonly path: PathMatch;
  readonly method?: HttpMethod;
  /** Sorted by name. */
  readonly headers: readonly ValueMatch[];
  /** Sorted by name. Names are case-sensitive. */
  readonly queryParams: readonly ValueMatch[];
}

export type HttpMethod =
  'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

export interface ValueMatch {
  /** `RegularExpression` is a PCRE-compatible pattern, unanchored (it may match part of the value). */
  readonly type: 'Exact' | 'RegularExpression';
  readonly name: string;
  readonly value: string;
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
  /**
   * Spread requests over `backends` in proportion to their weights (total > 0), changing the
   * request headers on the way in and the response headers on the way out.
   */
  | {
      kind: 'forward';
      backends: readonly WeightedBackend[];
      requestHeaders: HeaderModifier;
      responseHeaders: HeaderModifier;
    }
  /** Answer with a redirect; see Redirect. */
  | { kind: 'redirect'; redirect: Redirect; responseHeaders: HeaderModifier }
  /** Answer with `status` (200–599) and an empty body: a rule with no usable backend answers 500. */
  | { kind: 'fixedResponse'; status: number }
>;

/**
 * Header changes, applied in this order: `set` replaces every value of the header (or adds it),
 * `add` appends a value (to the existing ones, which a backend then sees as `old,new` or as two
 * header lines), `remove` drops the header. Names are case-insensitive; each name appears at most
 * once across the three lists.
 */
export interface HeaderModifier {
  readonly set: readonly HeaderValue[];
  readonly add: readonly HeaderValue[];
  readonly remove: readonly string[];
}

export interface HeaderValue {
  readonly name: string;
  readonly value: string;
}

/**
 * `Location: <scheme>://<hostname>[:<port>]<path>[?<query>]`, each part taken from the request
 * unless given. The port: `port` if given; else, when `scheme` is given, that scheme's well-known
 * port (80, 443); else the port the request came in on. A port that is the scheme's well-known
 * port is left out. The query string is always kept.
 */
export interface Redirect {
  readonly statusCode: 301 | 302 | 303 | 307 | 308;
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: RedirectPath;
}

export type RedirectPath = Readonly<
  | { type: 'ReplaceFullPath'; value: string }
  /** Replace the part of the path the rule's PathPrefix matched (`prefix`) with `value`. */
  | { type: 'ReplacePrefixMatch'; prefix: string; value: string }
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
