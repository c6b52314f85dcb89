/**
 * The step combinations and request cases the HTTPRoute tests repeat: Appendix A's "ACCEPT +
 * RR-OK", "GET X → backend B" and "GET X → 404/500".
 */
import { INFRA } from './manifests.js';
import type { ExpectedResponse, Request } from './roundTrip.js';
import type { GatewayAddress } from './routeStatus.js';
import type { NamespacedName } from './statusReading.js';
import type { TestContext } from './suite.js';

export const infra = (name: string): NamespacedName => ({ name, namespace: INFRA });

/** ACCEPT(gw; routes) then RR-OK for each route; returns where to send requests. */
export async function acceptedWithResolvedRefs(
  t: TestContext,
  gw: NamespacedName & { readonly listenerNames?: readonly string[] },
  routes: readonly NamespacedName[],
): Promise<GatewayAddress> {
  const address = await t.routes.gatewayAndHTTPRoutesMustBeAccepted(gw, routes);
  for (const route of routes) await t.routes.httpRouteMustHaveResolvedRefsConditionsTrue(route, gw);
  return address;
}

type RequestExtras = Omit<Request, 'path'> & { readonly namespace?: string };

/** GET `path` → 200 from `backend`, echoing the same path (and method, and any request headers). */
export const served = (path: string, backend: string, extras: RequestExtras = {}): ExpectedResponse => {
  const { namespace, ...request } = extras;
  return { request: { path, ...request }, backend, namespace: namespace ?? INFRA };
};

/** GET `path` → exactly `status`, no body check. */
export const answered = (
  path: string,
  status: number,
  extras: Omit<Request, 'path'> = {},
): ExpectedResponse => ({
  request: { path, ...extras },
  statusCodes: [status],
});
