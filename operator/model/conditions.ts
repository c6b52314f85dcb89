/**
 * Every condition gateplane writes, one constructor per situation, with the reasons the Gateway
 * API spec defines. Nothing else builds a condition inline, so this file is the catalogue of
 * every status message a user can see. `observedGeneration` is filled in by the caller, which
 * knows the object's generation; `lastTransitionTime` is stamped by status/.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

const make = (type: string, status: ConditionStatus, reason: string, message: string): Condition => ({
  type,
  status,
  reason,
  message,
});

// ---- GatewayClass ----

/** Accepted=True: the class names our controller and its parameters resolve. */
export const classAccepted = (): Condition =>
  make('Accepted', 'True', 'Accepted', 'The GatewayClass is accepted by gateplane.');

/** Accepted=False/InvalidParameters: parametersRef names nothing usable. */
export const classInvalidParameters = (detail: string): Condition =>
  make('Accepted', 'False', 'InvalidParameters', `spec.parametersRef: ${detail}`);

// ---- Gateway ----

export const gatewayAccepted = (): Condition =>
  make('Accepted', 'True', 'Accepted', 'The Gateway is accepted.');

/** Accepted=True/ListenersNotValid: some listeners are invalid; the valid ones are served. */
export const gatewaySomeListenersInvalid = (names: readonly string[]): Condition =>
  make('Accepted', 'True', 'ListenersNotValid', `Invalid listeners are not served: ${names.join(', ')}.`);

/** Accepted=False/ListenersNotValid: no listener is valid. */
export const gatewayNoValidListeners = (): Condition =>
  make('Accepted', 'False', 'ListenersNotValid', 'No listener of the Gateway is valid.');

/** Accepted=False/InvalidParameters: spec.infrastructure.parametersRef names nothing usable. */
export const gatewayInvalidParameters = (detail: string): Condition =>
  make('Accepted', 'False', 'InvalidParameters', `spec.infrastructure.parametersRef: ${detail}`);

/** Accepted=False/UnsupportedAddress: a requested address cannot be used. */
export const gatewayUnsupportedAddress = (detail: string): Condition =>
  make('Accepted', 'False', 'UnsupportedAddress', `spec.addresses: ${detail}`);

export const gatewayProgrammed = (): Condition =>
  make('Programmed', 'True', 'Programmed', 'The data plane serves the current configuration.');

/** Programmed=False/Invalid: the Gateway is not accepted, so nothing is programmed. */
export const gatewayNotProgrammedInvalid = (): Condition =>
  make('Programmed', 'False', 'Invalid', 'The Gateway is not accepted.');

/** Programmed=False/Pending: the configuration is being applied, or applying it failed. */
export const gatewayPending = (detail: string): Condition => make('Programmed', 'False', 'Pending', detail);

/** Programmed=False/AddressNotAssigned: no address could be given to the Gateway. */
export const gatewayAddressNotAssigned = (detail: string): Condition =>
  make('Programmed', 'False', 'AddressNotAssigned', detail);

// ---- Listener ----

export const listenerAccepted = (): Condition =>
  make('Accepted', 'True', 'Accepted', 'The listener is accepted.');

export const listenerUnsupportedProtocol = (protocol: string, supported: readonly string[]): Condition =>
  make(
    'Accepted',
    'False',
    'UnsupportedProtocol',
    `Protocol ${protocol} is not supported; use one of ${supported.join(', ')}.`,
  );

/** Accepted=False/UnsupportedValue: a listener field has a value gateplane cannot serve. */
export const listenerUnsupportedValue = (detail: string): Condition =>
  make('Accepted', 'False', 'UnsupportedValue', detail);

export const listenerNoConflicts = (): Condition =>
  make('Conflicted', 'False', 'NoConflicts', 'No conflicts.');

export const listenerProtocolConflict = (port: number): Condition =>
  make(
    'Conflicted',
    'True',
    'ProtocolConflict',
    `Another listener on port ${port} uses an incompatible protocol.`,
  );

export const listenerHostnameConflict = (port: number): Condition =>
  make(
    'Conflicted',
    'True',
    'HostnameConflict',
    `Another listener on port ${port} has the same protocol and hostname.`,
  );

/** Accepted=False that goes with a conflict: a conflicted listener is not served. */
export const listenerNotAcceptedConflict = (
  reason: 'ProtocolConflict' | 'HostnameConflict',
  port: number,
): Condition =>
  make(
    'Accepted',
    'False',
    reason,
    `The listener conflicts with another listener on port ${port} and is not served.`,
  );

export const listenerResolvedRefs = (): Condition =>
  make('ResolvedRefs', 'True', 'ResolvedRefs', 'All references are resolved.');

export const listenerInvalidRouteKinds = (kinds: readonly string[]): Condition =>
  make(
    'ResolvedRefs',
    'False',
    'InvalidRouteKinds',
    `Route kinds not supported on this listener: ${kinds.join(', ')}.`,
  );

export const listenerInvalidCertificateRef = (detail: string): Condition =>
  make('ResolvedRefs', 'False', 'InvalidCertificateRef', detail);

export const listenerCertificateRefNotPermitted = (ref: string): Condition =>
  make(
    'ResolvedRefs',
    'False',
    'RefNotPermitted',
    `No ReferenceGrant allows the certificate reference ${ref}.`,
  );

export const listenerProgrammed = (): Condition =>
  make('Programmed', 'True', 'Programmed', 'The listener is programmed.');

export const listenerNotProgrammed = (detail: string): Condition =>
  make('Programmed', 'False', 'Invalid', detail);

export const listenerPending = (detail: string): Condition => make('Programmed', 'False', 'Pending', detail);

// ---- Route parents ----

export const routeAccepted = (): Condition => make('Accepted', 'True', 'Accepted', 'The route is accepted.');

export const routeNotAllowedByListeners = (detail: string): Condition =>
  make('Accepted', 'False', 'NotAllowedByListeners', detail);

export const routeNoMatchingListenerHostname = (): Condition =>
  make(
    'Accepted',
    'False',
    'NoMatchingListenerHostname',
    'No listener hostname intersects the route hostnames.',
  );

export const routeNoMatchingParent = (detail: string): Condition =>
  make('Accepted', 'False', 'NoMatchingParent', detail);

/** Accepted=False/UnsupportedValue: the route uses a field value gateplane does not support. */
export const routeUnsupportedValue = (field: string, detail: string): Condition =>
  make('Accepted', 'False', 'UnsupportedValue', `${field}: ${detail}`);

/** Accepted=False/UnsupportedValue: the proxy refused the configuration this route produced. */
export const routeRejectedByProxy = (detail: string): Condition =>
  make(
    'Accepted',
    'False',
    'UnsupportedValue',
    `The data plane rejected this route's configuration: ${detail}`,
  );

export const routeResolvedRefs = (): Condition =>
  make('ResolvedRefs', 'True', 'ResolvedRefs', 'All references are resolved.');

/** ResolvedRefs=False with the reason of the first backendRef that did not resolve. */
export const routeUnresolvedRef = (reason: BackendRefReason, field: string, detail: string): Condition =>
  make('ResolvedRefs', 'False', reason, `${field}: ${detail}`);

export type BackendRefReason = 'RefNotPermitted' | 'InvalidKind' | 'BackendNotFound' | 'UnsupportedProtocol';
