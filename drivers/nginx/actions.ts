/**
 * What a block serving one rule does (a `location` for a path, or a named `@<rule id>` location
 * the dispatch jumps to): answer a status, redirect, or proxy, with the rule's header changes.
 */
import type { HttpListenerPort, RouteRule, RuleAction, Upstream } from '../../operator/model/types.js';
import { forwardTarget, type MarkerGuard } from './backends.js';
import { readHeader } from './conditions.js';
import { handoverTarget } from './handover.js';
import type { DeclarationSink as Declarations } from './declarations.js';
import { requestHeaderLines, responseHeaderLines, type HeaderLine } from './headers.js';
import type { NginxExpression } from './quote.js';
import { redirectLocation } from './redirect.js';

/** At most one of `respond`, `redirect`, `proxyPass`, `handover` is set. */
export interface ActionView {
  /** `return <status> $gp_empty`: that status, empty body. */
  readonly respond: { readonly status: number } | null;
  readonly redirect: { readonly status: number; readonly location: NginxExpression } | null;
  readonly guards: readonly MarkerGuard[];
  /** The `proxy_pass http://` target: an upstream name or a split variable. */
  readonly proxyPass: string | null;
  /** No rule matches: 404, or the next configuration's answer during a reload (handover.ts). */
  readonly handover: { readonly target: string } | null;
  /** `proxy_set_header` lines; empty means the http-level defaults apply. */
  readonly setHeaders: readonly HeaderLine[];
  readonly hideHeaders: readonly string[];
  readonly addHeaders: readonly HeaderLine[];
}

const NOTHING: ActionView = {
  respond: null,
  redirect: null,
  guards: [],
  proxyPass: null,
  handover: null,
  setHeaders: [],
  hideHeaders: [],
  addHeaders: [],
};

export const respondView = (status: number): ActionView => ({ ...NOTHING, respond: { status } });

/** What answers where no rule of `port` matches. */
export const unmatchedView = (port: number): ActionView => ({
  ...NOTHING,
  handover: { target: handoverTarget(port) },
});

/** `proxy_pass http://<target>` and nothing else: an upstream name or a variable naming one. */
export const proxyPassView = (target: string): ActionView => ({ ...NOTHING, proxyPass: target });

export interface ActionContext {
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly declarations: Declarations;
  /** The listener port of the server block being built: redirects depend on it. */
  readonly listener: Pick<HttpListenerPort, 'port' | 'protocol'>;
}

export function actionView(rule: RouteRule, comment: string, context: ActionContext): ActionView {
  const action: RuleAction = rule.action;
  switch (action.kind) {
    case 'fixedResponse':
      return respondView(action.status);
    case 'redirect': {
      const location = redirectLocation(action.redirect, {
        listener: context.listener,
        ruleId: rule.id,
        comment,
        declarations: context.declarations,
      });
      return {
        ...NOTHING,
        redirect: { status: action.redirect.statusCode, location },
        ...responseHeaderLines(action.responseHeaders),
      };
    }
    case 'forward': {
      const target = forwardTarget(action.backends, {
        upstreams: context.upstreams,
        declareSplit: (shares) =>
          context.declarations.once(`split:${rule.id}`, () => context.declarations.split(comment, shares)),
      });
      // A forward that cannot reach any backend answers like nginx itself would; header changes
      // are for responses that went through a backend.
      if ('respond' in target) return respondView(target.respond);
      return {
        ...NOTHING,
        guards: target.guards,
        proxyPass: target.proxyPass,
        setHeaders: requestHeaderLines(action.requestHeaders, (name) =>
          readHeader(name, comment, context.declarations),
        ),
        ...responseHeaderLines(action.responseHeaders),
      };
    }
  }
}
