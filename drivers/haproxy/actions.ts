/**
 * What a port's frontend does once `txn.rule` names the rule that serves the request: the steps
 * of each rule (a weighted draw, a fixed answer, a redirect, header changes) and the `use_backend`
 * lines that send it on. Every line is conditioned on `{ var(txn.rule) -m str <id> }`.
 */
import type { HeaderModifier, RouteRule, WeightedBackend } from '../../operator/model/types.js';
import { logFormatText } from './quote.js';
import { redirectLocation, type ListenerContext } from './redirect.js';
import type { RuleLabel } from './view.js';

/** Answers 500 for the share of requests that belongs to a backendRef that did not resolve. */
export const INVALID_BACKEND = 'invalid-backend';

export interface ActionView extends RuleLabel {
  readonly hasPick: boolean;
  readonly pickRange: number;
  readonly hasFixedStatus: boolean;
  readonly status: number;
  readonly hasRedirect: boolean;
  /** user: a log-format string. */
  readonly location: string;
  readonly redirectCode: number;
  /** `http-request` header changes, on the way to the backend. */
  readonly requestHeaders: readonly HeaderChangeView[];
  /**
   * `http-after-response` header changes: unlike `http-response`, these also apply to answers
   * HAProxy makes itself, such as a redirect, and to the 503 of an upstream without endpoints.
   */
  readonly responseHeaders: readonly HeaderChangeView[];
}

export interface HeaderChangeView {
  readonly verb: 'set-header' | 'add-header' | 'del-header';
  /** user */
  readonly name: string;
  readonly hasValue: boolean;
  /** user: a log-format string. */
  readonly value: string;
}

export interface DispatchView extends RuleLabel {
  readonly shares: readonly ShareView[];
}

export interface ShareView {
  readonly backend: string;
  readonly hasPick: boolean;
  /** The share serves draws below this bound (cumulative weight). */
  readonly below: number;
}

const NO_STEPS = {
  hasPick: false,
  pickRange: 0,
  hasFixedStatus: false,
  status: 0,
  hasRedirect: false,
  location: '',
  redirectCode: 0,
  requestHeaders: [],
  responseHeaders: [],
} as const;

export function actionView(label: RuleLabel, rule: RouteRule, listener: ListenerContext): ActionView {
  const base = { ...label, ...NO_STEPS };
  const { action } = rule;
  switch (action.kind) {
    case 'fixedResponse':
      // Checked by `haproxy -c`, which rejects codes it cannot send; validate() maps that back here.
      return { ...base, hasFixedStatus: true, status: action.status };
    case 'redirect':
      return {
        ...base,
        hasRedirect: true,
        location: redirectLocation(action.redirect, listener),
        redirectCode: action.redirect.statusCode,
        responseHeaders: headerChanges(action.responseHeaders),
      };
    case 'forward': {
      const shares = positiveShares(action.backends);
      return {
        ...base,
        // `rand` is evaluated again at every use, so draw once per request into txn.pick.
        // A single share needs no draw at all.
        hasPick: shares.length > 1,
        pickRange: shares.length > 1 ? totalWeight(shares) : 0,
        requestHeaders: headerChanges(action.requestHeaders),
        responseHeaders: headerChanges(action.responseHeaders),
      };
    }
  }
}

/** Whether the rule's block has any line at all. */
export function hasSteps(action: ActionView): boolean {
  return (
    action.hasPick ||
    action.hasFixedStatus ||
    action.hasRedirect ||
    action.requestHeaders.length > 0 ||
    action.responseHeaders.length > 0
  );
}

/**
 * Gateway API's order: set, add, remove. HAProxy's `set-header` removes every line of that name
 * (in any case) before adding its own, `add-header` appends a line (a backend sees `old` and `new`
 * as two lines, or `old,new` once joined), `del-header` removes every line of that name.
 */
function headerChanges(modifier: HeaderModifier): HeaderChangeView[] {
  return [
    ...modifier.set.map((header) => change('set-header', header.name, header.value)),
    ...modifier.add.map((header) => change('add-header', header.name, header.value)),
    ...modifier.remove.map((name) => change('del-header', name, undefined)),
  ];
}

function change(verb: HeaderChangeView['verb'], name: string, value: string | undefined): HeaderChangeView {
  return value === undefined
    ? { verb, name, hasValue: false, value: '' }
    : { verb, name, hasValue: true, value: logFormatText(value) };
}

export function dispatchView(label: RuleLabel, rule: RouteRule): DispatchView {
  return { ...label, shares: ruleShares(rule) };
}

function ruleShares(rule: RouteRule): ShareView[] {
  const backends = rule.action.kind === 'forward' ? positiveShares(rule.action.backends) : [];
  // The model promises a positive total; if it ever is not, answer 500 like an unresolved ref
  // rather than fall through to HAProxy's "no backend" 503.
  if (backends.length === 0) return [{ backend: INVALID_BACKEND, hasPick: false, below: 0 }];
  let below = 0;
  return backends.map((backend) => {
    below += backend.weight;
    // use_backend lines are tried in order: draws below the running sum go to this share.
    return {
      backend: backend.kind === 'upstream' ? backend.upstream : INVALID_BACKEND,
      hasPick: backends.length > 1,
      below,
    };
  });
}

/**
 * The one backend of a rule whose action reads nothing else: no draw, no header change, no
 * answer of its own. Undefined for any other rule.
 */
export function plainForwardBackend(rule: RouteRule): string | undefined {
  const { action } = rule;
  if (action.kind !== 'forward') return undefined;
  const changes = [action.requestHeaders, action.responseHeaders];
  if (changes.some((c) => c.set.length + c.add.length + c.remove.length > 0)) return undefined;
  const shares = ruleShares(rule);
  return shares.length === 1 && !shares[0]!.hasPick ? shares[0]!.backend : undefined;
}

/** Weight 0 means "no traffic": such a backend gets no line at all. */
function positiveShares(backends: readonly WeightedBackend[]): WeightedBackend[] {
  return backends.filter((backend) => backend.weight > 0);
}

function totalWeight(backends: readonly WeightedBackend[]): number {
  return backends.reduce((sum, backend) => sum + backend.weight, 0);
}
