/**
 * A Redirect as the `Location` of `return <code> "<url>"`.
 *
 * Everything but the hostname and the path is known when rendering, because a server block
 * belongs to one listener port: the scheme (the redirect's, else the port's protocol), the port
 * (the redirect's; else the scheme's well-known one when the redirect names a scheme; else the
 * listener's), and whether to print it (not when it is the scheme's well-known port).
 *
 * The hostname defaults to `$host`: the Host header without its port, lowercased by nginx.
 * The path and query come from `$request_uri`, the request target exactly as received, so
 * nothing is decoded into the header (`$uri` is percent-decoded and could carry a line break).
 * ReplacePrefixMatch rewrites the raw path with a regex map. nginx chose the location on the
 * normalized path, so a raw path that does not literally start with the prefix (`/%66oo`,
 * `//foo`) cannot be split there; it gets the replacement alone, query kept.
 *
 * nginx writes its short HTML page as the body of a redirect; clients ignore it.
 */
import type { HttpListenerPort, Redirect, RedirectPath } from '../../operator/model/types.js';
import { regexLiteral } from './conditions.js';
import { bare, type DeclarationSink as Declarations } from './declarations.js';
import type { ExpressionPart, NginxExpression } from './quote.js';

const WELL_KNOWN_PORT = { http: 80, https: 443 } as const;

export interface RedirectContext {
  readonly listener: Pick<HttpListenerPort, 'port' | 'protocol'>;
  /** Identifies the rule, to declare its path map once; see Declarations. */
  readonly ruleId: string;
  /** The rule's source comment, above the maps it owns. */
  readonly comment: string;
  readonly declarations: Declarations;
}

const text = (value: string): ExpressionPart => ({ text: value });
const ref = (name: string): ExpressionPart => ({ variable: name });

/**
 * `?` and the raw query string, or nothing: as received, so `/p?` keeps its `?` (nginx's
 * `$is_args$args` would drop it). One map for the whole configuration.
 */
function query(declarations: Declarations): ExpressionPart {
  const declared = declarations.once('query', () =>
    declarations.map('query', {
      comment: 'the query string of the request target, with its "?"',
      input: { parts: [ref('request_uri')] },
      entries: [{ key: '~(\\?.*)', value: { parts: [{ capture: 1 }] } }],
      fallback: { parts: [] },
    }),
  );
  return ref(bare(declared));
}

/**
 * `(\?.*)?` after the prefix: the path was exactly the prefix; `(/[^?]*)`: what follows the
 * prefix, element-wise. A value of `/` or "" replaces the prefix with nothing, and an empty
 * result path becomes `/`.
 */
function prefixPath(path: Extract<RedirectPath, { type: 'ReplacePrefixMatch' }>, context: RedirectContext) {
  const prefix = path.prefix.replace(/\/+$/, '');
  const value = path.value.replace(/\/+$/, '');
  const declared = context.declarations.once(`path:${context.ruleId}`, () =>
    context.declarations.map('path', {
      comment: context.comment,
      input: { parts: [ref('request_uri')] },
      entries: [
        {
          key: `~^${regexLiteral(prefix)}(\\?.*)?\\z`,
          value: { parts: [text(value || '/'), { capture: 1 }] },
        },
        {
          key: `~^${regexLiteral(prefix)}(/[^?]*)(\\?.*)?\\z`,
          value: { parts: [text(value), { capture: 1 }, { capture: 2 }] },
        },
      ],
      fallback: { parts: [text(value || '/'), query(context.declarations)] },
    }),
  );
  return [ref(bare(declared))];
}

function pathParts(path: RedirectPath | undefined, context: RedirectContext): ExpressionPart[] {
  if (!path) return [ref('request_uri')];
  switch (path.type) {
    case 'ReplaceFullPath':
      return [text(path.value || '/'), query(context.declarations)];
    case 'ReplacePrefixMatch':
      return prefixPath(path, context);
  }
}

export function redirectLocation(redirect: Redirect, context: RedirectContext): NginxExpression {
  const scheme = redirect.scheme ?? (context.listener.protocol === 'HTTPS' ? 'https' : 'http');
  const port = redirect.port ?? (redirect.scheme ? WELL_KNOWN_PORT[redirect.scheme] : context.listener.port);
  const shownPort = port === WELL_KNOWN_PORT[scheme] ? '' : `:${port}`;
  return {
    parts: [
      text(`${scheme}://`),
      redirect.hostname === undefined ? ref('host') : text(redirect.hostname),
      text(shownPort),
      ...pathParts(redirect.path, context),
    ],
  };
}
