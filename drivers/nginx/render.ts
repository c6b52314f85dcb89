/**
 * Renders a GatewayModel into nginx.conf and the certificate files it names. Pure: the same model
 * and target give the same bytes, and the hash served by the status endpoint is computed from the
 * inputs (templates, model, target), not from the output that embeds it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import Handlebars from 'handlebars';
import { formatName } from '../../operator/model/names.js';
import type { GatewayModel } from '../../operator/model/types.js';
import type { RenderTarget, RenderedConfig } from '../driver.js';
import { renderHash, templateDigest } from '../hash.js';
import { isExpression, nginxComment, nginxQuote, nginxQuoteExpression } from './quote.js';
import { certificateFiles } from './tls.js';
import { buildView, type NginxView } from './view.js';

export const MAIN_FILE = 'nginx.conf';

const TEMPLATE_DIR = new URL('../../templates/nginx/', import.meta.url);
const PARTIAL_DIR = new URL('partials/', TEMPLATE_DIR);

// An isolated environment: no other module's helpers or partials can leak into ours.
const handlebars = Handlebars.create();
// One quoting helper: a plain string becomes a literal token, an NginxExpression (view.ts decides
// which fields are complex values) a token with `$` escaped and our variables expanded.
handlebars.registerHelper('quote', (value: unknown) =>
  isExpression(value) ? nginxQuoteExpression(value) : nginxQuote(String(value)),
);
handlebars.registerHelper('comment', (value: unknown) => nginxComment(String(value)));

const options = {
  strict: true,
  noEscape: true,
  knownHelpers: { quote: true, comment: true },
  knownHelpersOnly: true,
} as const;

// Read and compile once, at module load (Handlebars finishes compiling on first use and keeps the
// result). The digest covers every source in a fixed order, so a template change (a gateplane
// upgrade) changes the hash and triggers a reload.
const mainSource = readFileSync(new URL('nginx.conf.hbs', TEMPLATE_DIR), 'utf8');
const partialSources = readdirSync(PARTIAL_DIR)
  .filter((file) => file.endsWith('.hbs'))
  .sort()
  .map((file) => ({
    name: file.slice(0, -'.hbs'.length),
    source: readFileSync(new URL(file, PARTIAL_DIR), 'utf8'),
  }));
for (const partial of partialSources)
  handlebars.registerPartial(partial.name, handlebars.compile(partial.source, options));
const mainTemplate = handlebars.compile<NginxView>(mainSource, options);
const digest = templateDigest([mainSource, ...partialSources.flatMap((p) => [p.name, p.source])]);

export function renderNginx(model: GatewayModel, target: RenderTarget): RenderedConfig {
  const hash = renderHash(digest, model, target);
  try {
    // Handlebars indents every line of an indented partial, blank ones too; drop that trailing
    // whitespace. Safe: a quoted token never spans lines, so no line ends inside quotes.
    const content = mainTemplate(buildView(model, target, hash)).replace(/[ \t]+$/gm, '');
    // Certificates are content-addressed (certs/<sha256>.pem), so staging them never changes what
    // a running nginx reads; see deploy.ts.
    const files = [{ path: MAIN_FILE, content }, ...certificateFiles(model)];
    return { driver: 'nginx', main: MAIN_FILE, files, hash };
  } catch (cause) {
    throw new Error(`render ${MAIN_FILE} for ${formatName(model.gateway)}`, { cause });
  }
}
