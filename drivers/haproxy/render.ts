/**
 * model → haproxy.cfg, the route maps of its ports (maps.ts) and one file per certificate. Pure: no clock, no randomness, no I/O after module load, so the same
 * model and target give the same bytes and the same hash.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { GatewayModel, Upstream } from '../../operator/model/types.js';
import type { RenderTarget, RenderedConfig } from '../driver.js';
import { renderHash, templateDigest } from '../hash.js';
import { haquote } from './quote.js';
import { certificateFile } from './tls.js';
import { backendView, buildView, type BackendView, type HaproxyView } from './view.js';
import { memoized } from '../../operator/model/memo.js';

export const MAIN_FILE = 'haproxy.cfg';

const TEMPLATE_DIR = new URL('../../templates/haproxy/', import.meta.url);
const PARTIALS = ['global', 'tls', 'frontend', 'backend'] as const;

const COMPILE_OPTIONS = {
  strict: true,
  // Handlebars escapes for HTML by default; configuration syntax is escaped by haquote instead.
  noEscape: true,
  knownHelpers: { haquote: true },
  knownHelpersOnly: true,
} as const;

// An isolated environment: helpers and partials registered here cannot leak into, or be
// overridden by, another driver's templates.
const env = Handlebars.create();
env.registerHelper('haquote', (value: unknown) => {
  // Strict mode does not check helper arguments: a missing field would arrive as undefined.
  if (typeof value !== 'string') throw new Error(`haquote expects a string, got ${typeof value}`);
  return haquote(value);
});

function source(relative: string): string {
  return readFileSync(new URL(relative, TEMPLATE_DIR), 'utf8');
}

const mainSource = source('haproxy.cfg.hbs');
const partialSources = PARTIALS.map((name) => ({ name, text: source(`partials/${name}.hbs`) }));
for (const partial of partialSources)
  env.registerPartial(partial.name, env.compile(partial.text, COMPILE_OPTIONS));
// compile() parses on first use and keeps the result: templates are compiled once per process.
const mainTemplate = env.compile<HaproxyView>(mainSource, COMPILE_OPTIONS);
const backendTemplate = env.compile<BackendView>(
  partialSources.find((partial) => partial.name === 'backend')!.text,
  COMPILE_OPTIONS,
);

/**
 * An upstream's backend section, once per upstream object (the resolver keeps those that did not
 * change): with thousands of routes over hundreds of Services, the backends and their server
 * slots are most of the file, and rendering them all was most of a change's render.
 */
const backendText = memoized((upstream: Upstream): string => backendTemplate(backendView(upstream)));

/** Every template byte the output depends on, so new templates mean a new hash and a reload. */
const TEMPLATES_DIGEST = templateDigest([mainSource, ...partialSources.map((partial) => partial.text)]);

/** The hash renderHaproxy(model, target) gives, without rendering. */
export function configHash(model: GatewayModel, target: RenderTarget): string {
  return renderHash(TEMPLATES_DIGEST, model, target);
}

export function renderHaproxy(model: GatewayModel, target: RenderTarget): RenderedConfig {
  const hash = configHash(model, target);
  try {
    const view = buildView(model, target, hash, backendText);
    const content = mainTemplate(view);
    // Certificates are named by their content (deploy.ts): writing one never changes what serves.
    const certificates = model.certificates.map((certificate) => ({
      path: certificateFile(certificate.id),
      content: certificate.pem,
      mode: 0o600,
    }));
    return {
      driver: 'haproxy',
      main: MAIN_FILE,
      files: [{ path: MAIN_FILE, content }, ...view.mapFiles, ...certificates],
      hash,
    };
  } catch (cause) {
    throw new Error(`render ${MAIN_FILE} for ${model.gateway.namespace}/${model.gateway.name}`, { cause });
  }
}
