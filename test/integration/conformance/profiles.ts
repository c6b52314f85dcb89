/**
 * The GATEWAY-HTTP conformance profile as upstream defines it at v1.6.1 (reference §1.2), and
 * every test that belongs to it (§3.1, §4.1–4.5) with its features and provisional flag, so the
 * suite can decide which tests a driver's claimed features let run (§3.2: all features
 * supported, else NOT_SUPPORTED) and the report can count each as core or extended (§5.3).
 */

export const GATEWAY_HTTP = 'GATEWAY-HTTP';

/** `CoreFeatures` of GATEWAY-HTTP; enabling the profile makes the suite support them (§1.2 rule 4). */
export const GATEWAY_HTTP_CORE_FEATURES = ['Gateway', 'ReferenceGrant', 'HTTPRoute'] as const;

/** "All Gateway extended" (§1.2). */
const GATEWAY_EXTENDED_FEATURES = [
  'GatewayPort8080',
  'GatewayStaticAddresses',
  'GatewayHTTPListenerIsolation',
  'GatewayHTTPSListenerDetectMisdirectedRequests',
  'GatewayInfrastructurePropagation',
  'GatewayAddressEmpty',
  'GatewayBackendClientCertificate',
  'GatewayFrontendClientCertificateValidation',
  'GatewayFrontendClientCertificateValidationInsecureFallback',
  'ListenerSet',
] as const;

/** Every HTTPRoute extended feature (§1.1), the experimental ones included. */
const HTTP_ROUTE_EXTENDED_FEATURES = [
  'HTTPRouteDestinationPortMatching',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteMethodMatching',
  'HTTPRouteResponseHeaderModification',
  'HTTPRoutePortRedirect',
  'HTTPRouteSchemeRedirect',
  'HTTPRoutePathRedirect',
  'HTTPRouteHostRewrite',
  'HTTPRoutePathRewrite',
  'HTTPRouteRequestMirror',
  'HTTPRouteRequestMultipleMirrors',
  'HTTPRouteRequestPercentageMirror',
  'HTTPRouteRequestTimeout',
  'HTTPRouteBackendTimeout',
  'HTTPRouteParentRefPort',
  'HTTPRouteBackendProtocolH2C',
  'HTTPRouteBackendProtocolWebSocket',
  'HTTPRouteNamedRouteRule',
  'HTTPRouteCORS',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteRetry',
  'HTTPRouteRetryBackendTimeout',
  'HTTPRouteRetryConnectionError',
] as const;

/** `ExtendedFeatures` of GATEWAY-HTTP (§1.2). */
export const GATEWAY_HTTP_EXTENDED_FEATURES: readonly string[] = [
  ...GATEWAY_EXTENDED_FEATURES,
  ...HTTP_ROUTE_EXTENDED_FEATURES,
  'BackendTLSPolicy',
  'BackendTLSPolicySANValidation',
];

export interface CatalogEntry {
  readonly name: string;
  /** `Features` of the upstream test, `Gateway` included. */
  readonly features: readonly string[];
  readonly provisional: boolean;
}

type Row = readonly [name: string, features: readonly string[], provisional?: 'provisional'];

const G = 'Gateway';
const HR = 'HTTPRoute';
const RG = 'ReferenceGrant';
const BTLS = 'BackendTLSPolicy';
const LS = 'ListenerSet';
const FRONTEND = 'GatewayFrontendClientCertificateValidation';

/** The 37 core tests (§3.1; features from the §4.1/§4.2 tables). */
const CORE_ROWS: readonly Row[] = [
  ['GatewayClassObservedGenerationBump', [G]],
  ['GatewayInvalidParametersRef', [G]],
  ['GatewayInvalidRouteKind', [G]],
  ['GatewayInvalidTLSConfiguration', [G]],
  ['GatewayListenerUnsupportedProtocol', [G]],
  ['GatewayModifyListeners', [G]],
  ['GatewayObservedGenerationBump', [G]],
  ['GatewaySecretInvalidReferenceGrant', [G, RG]],
  ['GatewaySecretMissingReferenceGrant', [G, RG]],
  ['GatewaySecretReferenceGrantAllInNamespace', [G, RG]],
  ['GatewaySecretReferenceGrantSpecific', [G, RG]],
  ['GatewayWithAttachedRoutes', [G, HR]],
  ['HTTPRouteCrossNamespace', [G, HR]],
  ['HTTPRouteExactPathMatching', [G, HR]],
  ['HTTPRouteHTTPSListener', [G, HR]],
  ['HTTPRouteHeaderMatching', [G, HR]],
  ['HTTPRouteHostnameIntersection', [G, HR]],
  ['HTTPRouteInvalidBackendRefUnknownKind', [G, HR]],
  ['HTTPRouteInvalidCrossNamespaceBackendRef', [G, HR, RG]],
  ['HTTPRouteInvalidCrossNamespaceParentRef', [G, HR]],
  ['HTTPRouteInvalidNonExistentBackendRef', [G, HR]],
  ['HTTPRouteInvalidParentRefNotMatchingSectionName', [G, HR]],
  ['HTTPRouteInvalidReferenceGrant', [G, HR, RG]],
  ['HTTPRouteListenerHostnameMatching', [G, HR]],
  ['HTTPRouteMatching', [G, HR]],
  ['HTTPRouteMatchingAcrossRoutes', [G, HR]],
  ['HTTPRouteMultipleGateways', [G, HR]],
  ['HTTPRouteNoBackendRefs', [G, HR]],
  ['HTTPRouteObservedGenerationBump', [G, HR]],
  ['HTTPRoutePartiallyInvalidViaInvalidReferenceGrant', [G, HR, RG]],
  ['HTTPRoutePathMatchOrder', [G, HR]],
  ['HTTPRouteRedirectHostAndStatus', [G, HR]],
  ['HTTPRouteReferenceGrant', [G, HR, RG]],
  ['HTTPRouteRequestHeaderModifier', [G, HR]],
  ['HTTPRouteServiceTypes', [G, HR]],
  ['HTTPRouteSimpleSameNamespace', [G, HR]],
  ['HTTPRouteWeight', [G, HR]],
];

/** The 57 GATEWAY-HTTP extended tests (§0; features from §4.1, §4.2, §4.3, §4.5). */
const EXTENDED_ROWS: readonly Row[] = [
  // §4.1 Gateway
  ['GatewayWithAttachedRoutesWithPort8080', [G, 'GatewayPort8080', HR]],
  ['GatewayHTTPListenerIsolation', [G, 'GatewayHTTPListenerIsolation', HR]],
  ['GatewayInfrastructure', [G, 'GatewayInfrastructurePropagation'], 'provisional'],
  ['GatewayOptionalAddressValue', [G, 'GatewayAddressEmpty'], 'provisional'],
  ['GatewayStaticAddresses', [G, 'GatewayStaticAddresses']],
  ['GatewayTLSBackendClientCertificate', [G, 'GatewayBackendClientCertificate', HR, BTLS]],
  ['GatewayInvalidTLSBackendConfiguration', [G, 'GatewayBackendClientCertificate', HR, BTLS]],
  ['GatewayFrontendClientCertificateValidation', [G, HR, FRONTEND]],
  [
    'GatewayFrontendClientCertificateValidationInsecureFallback',
    [G, HR, FRONTEND, 'GatewayFrontendClientCertificateValidationInsecureFallback'],
  ],
  ['GatewayFrontendInvalidDefaultClientCertificateValidation', [G, HR, FRONTEND]],
  ['GatewayInvalidFrontendClientCertificateValidation', [G, HR, RG, FRONTEND]],
  // §4.2 HTTPRoute
  ['HTTPRouteBackendRequestHeaderModifier', [G, HR, 'HTTPRouteBackendRequestHeaderModification']],
  ['HTTPRouteRequestHeaderModifierBackendWeights', [G, HR, 'HTTPRouteBackendRequestHeaderModification']],
  ['HTTPRouteQueryParamMatching', [G, HR, 'HTTPRouteQueryParamMatching']],
  ['HTTPRouteMethodMatching', [G, HR, 'HTTPRouteMethodMatching']],
  ['HTTPRouteListenerPortMatching', [G, HR, 'HTTPRouteParentRefPort']],
  ['HTTPRouteInvalidParentRefNotMatchingListenerPort', [G, HR, 'HTTPRouteDestinationPortMatching']],
  ['HTTPRouteInvalidParentRefSectionNameNotMatchingPort', [G, HR, 'HTTPRouteParentRefPort']],
  [
    'HTTPRouteHTTPSListenerDetectMisdirectedRequests',
    [G, HR, 'GatewayHTTPSListenerDetectMisdirectedRequests'],
  ],
  ['HTTPRouteRedirectPath', [G, HR, 'HTTPRoutePathRedirect']],
  ['HTTPRouteRedirectPort', [G, HR, 'HTTPRoutePortRedirect']],
  ['HTTPRouteRedirectScheme', [G, HR, 'HTTPRouteSchemeRedirect']],
  ['HTTPRouteRedirectPortAndScheme', [G, HR, 'HTTPRoutePortRedirect', 'GatewayPort8080']],
  ['HTTPRoute303Redirect', [G, HR, 'HTTPRoute303RedirectStatusCode'], 'provisional'],
  ['HTTPRoute307Redirect', [G, HR, 'HTTPRoute307RedirectStatusCode'], 'provisional'],
  ['HTTPRoute308Redirect', [G, HR, 'HTTPRoute308RedirectStatusCode'], 'provisional'],
  ['HTTPRouteRewriteHost', [G, HR, 'HTTPRouteHostRewrite']],
  ['HTTPRouteRewritePath', [G, HR, 'HTTPRoutePathRewrite']],
  ['HTTPRouteResponseHeaderModifier', [G, HR, 'HTTPRouteResponseHeaderModification']],
  ['HTTPRouteRequestMirror', [G, HR, 'HTTPRouteRequestMirror']],
  ['HTTPRouteRequestMultipleMirrors', [G, HR, 'HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors']],
  ['HTTPRouteRequestPercentageMirror', [G, HR, 'HTTPRouteRequestPercentageMirror'], 'provisional'],
  ['HTTPRouteTimeoutRequest', [G, HR, 'HTTPRouteRequestTimeout']],
  ['HTTPRouteTimeoutBackendRequest', [G, HR, 'HTTPRouteBackendTimeout']],
  ['HTTPRouteRetry', [G, HR, 'HTTPRouteRetry']],
  ['HTTPRouteBackendProtocolH2C', [G, HR, 'HTTPRouteBackendProtocolH2C']],
  ['HTTPRouteBackendProtocolWebSocket', [G, HR, 'HTTPRouteBackendProtocolWebSocket']],
  ['HTTPRouteNamedRule', [G, HR, 'HTTPRouteNamedRouteRule'], 'provisional'],
  ['HTTPRouteCORS', [G, HR, 'HTTPRouteCORS']],
  // §4.3 BackendTLSPolicy
  ['BackendTLSPolicy', [G, HR, BTLS]],
  ['BackendTLSPolicyConflictResolution', [G, HR, BTLS]],
  ['BackendTLSPolicyInvalidCACertificateRef', [G, HR, BTLS]],
  ['BackendTLSPolicyInvalidKind', [G, HR, BTLS]],
  ['BackendTLSPolicyObservedGenerationBump', [G, HR, BTLS]],
  ['BackendTLSPolicySANValidation', [G, HR, BTLS, 'BackendTLSPolicySANValidation']],
  // §4.5 ListenerSet (ListenerSetAllowedRoutesSupportedKinds needs TLSRoute: not in the profile)
  ['ListenerSetDefaultNotAllowed', [G, LS]],
  ['ListenerSetAllowedNamespaceNone', [G, LS]],
  ['ListenerSetAllowedNamespaceSame', [G, LS]],
  ['ListenerSetAllowedNamespaceSelector', [G, LS]],
  ['ListenerSetAllowedRoutesNamespaces', [G, LS, HR, RG]],
  ['ListenerSetDualParentRefIndependence', [G, LS, HR]],
  ['ListenerSetGatewayParentSectionNameNotFound', [G, LS, HR]],
  ['ListenerSetHTTPRouting', [G, LS, HR]],
  ['ListenerSetHostnameConflict', [G, LS]],
  ['ListenerSetProtocolConflict', [G, LS]],
  ['ListenerSetReferenceGrant', [G, LS, RG]],
  ['ListenerSetRouteStatusScopedToParentRef', [G, LS, HR]],
];

const entry = ([name, features, provisional]: Row): CatalogEntry => ({
  name,
  features,
  provisional: provisional === 'provisional',
});

/** Every test of the GATEWAY-HTTP profile, by name. */
export const GATEWAY_HTTP_CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  [...CORE_ROWS, ...EXTENDED_ROWS].map((row) => [row[0], entry(row)]),
);

const CORE = new Set<string>(GATEWAY_HTTP_CORE_FEATURES);
const PROFILE = new Set<string>([...GATEWAY_HTTP_CORE_FEATURES, ...GATEWAY_HTTP_EXTENDED_FEATURES]);

/**
 * `getConformanceProfilesForTest` / `isTestExtended` for GATEWAY-HTTP (§1.2 rules 1–2): not in
 * the profile when a feature is outside it, core when every feature is a core feature.
 */
export function gatewayHttpLevel(test: CatalogEntry): 'core' | 'extended' | undefined {
  if (!test.features.every((f) => PROFILE.has(f))) return undefined;
  return test.features.every((f) => CORE.has(f)) ? 'core' : 'extended';
}

/** §1.2 rule 4 and §3.2: the suite supports the profile's core features plus what the driver claims. */
export const suiteSupportedFeatures = (claimed: readonly string[]): string[] =>
  [...new Set([...GATEWAY_HTTP_CORE_FEATURES, ...claimed])].sort();

/** The features of `test` the suite does not support (none: the test runs). */
export const missingFeatures = (test: CatalogEntry, supported: readonly string[]): string[] =>
  test.features.filter((f) => !supported.includes(f));

export function catalogEntry(name: string): CatalogEntry {
  const found = GATEWAY_HTTP_CATALOG.get(name);
  if (!found) throw new Error(`${name} is not a GATEWAY-HTTP conformance test`);
  return found;
}
