/**
 * Writes the files generated from TypeScript sources of truth, so they can never be edited by
 * hand into disagreement:
 * - `crds/gateplane.io_dataplaneconfigs.yaml` and its copy in the chart's `crds/` folder (Helm
 *   reads nothing outside the chart), from the zod schema in operator/api/dataPlaneConfig.ts;
 * - `charts/gateplane/files/rbac/*.yaml`, the chart's RBAC rules, from operator/cluster/permissions.ts.
 *
 *   npx tsx hack/generate-crds.ts           rewrite the files
 *   npx tsx hack/generate-crds.ts --check   exit 1 if a checked-in file differs
 *
 * test/unit/packaging/generated.test.ts fails when a file is stale.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { z } from 'zod';
import { dataPlaneConfigSpec, GATEPLANE_GROUP } from '../operator/api/dataPlaneConfig.js';
import { policyRules, ROLES } from '../operator/cluster/permissions.js';
import { apiResource } from '../operator/sources/kubernetes/resources.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CRD_FILE = 'gateplane.io_dataplaneconfigs.yaml';

type Schema = Record<string, unknown>;

// zod writes z.number().int() bounds as the safe-integer range: true, and only noise in a CRD.
const SAFE_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
/** Keywords the structural subset accepts as they are, in the order the CRD lists them. */
const KEYWORDS = [
  'description',
  'type',
  'format',
  'enum',
  'pattern',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'nullable',
  'properties',
  'additionalProperties',
  'required',
  'items',
  'x-kubernetes-preserve-unknown-fields',
];

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(value: unknown, where: string): Schema {
  if (!isSchema(value)) throw new Error(`${where}: expected a schema object`);
  return toStructural(value, where);
}

/** Keywords that need more than copying: each writes its structural form into `out`. */
const CONVERT: Record<string, (value: unknown, where: string, out: Schema) => void> = {
  $schema: () => {},
  properties: (value, where, out) => {
    if (!isSchema(value)) throw new Error(`${where}: properties must be an object`);
    out.properties = Object.fromEntries(
      Object.entries(value).map(([name, s]) => [name, child(s, `${where}.${name}`)]),
    );
  },
  items: (value, where, out) => {
    out.items = child(value, `${where}[]`);
  },
  additionalProperties: (value, where, out) => {
    // `false` (z.strictObject) has no structural form: the API server prunes unknown fields
    // instead of refusing them, and zod strips them, so both ignore them alike.
    if (value === false) return;
    // A record of z.unknown() (free-form, such as resources): keep whatever the user wrote.
    if (isSchema(value) && Object.keys(value).length === 0) {
      out['x-kubernetes-preserve-unknown-fields'] = true;
      return;
    }
    out.additionalProperties = child(value, `${where}.*`);
  },
  propertyNames: (value, where) => {
    // Map keys are always strings in Kubernetes; anything narrower cannot be expressed.
    if (!isSchema(value) || Object.keys(value).join() !== 'type' || value.type !== 'string') {
      throw new Error(`${where}: propertyNames other than strings cannot be expressed in a CRD`);
    }
  },
  minimum: (value, _where, out) => {
    if (!SAFE_BOUNDS.has(value as number)) out.minimum = value;
  },
  maximum: (value, _where, out) => {
    if (!SAFE_BOUNDS.has(value as number)) out.maximum = value;
  },
};

/**
 * Turn zod's JSON Schema (target openapi-3.0, io input) into the Kubernetes structural-schema
 * subset. Anything without a structural equivalent throws, naming the field, so a new zod
 * construct is handled here on purpose instead of silently disappearing from the CRD.
 */
export function toStructural(schema: Schema, where = 'spec'): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    const convert = CONVERT[key];
    if (convert) convert(value, where, out);
    else if (KEYWORDS.includes(key)) out[key] = value;
    else
      throw new Error(
        `${where}: JSON Schema keyword "${key}" has no structural equivalent; extend toStructural`,
      );
  }
  if (out.type === undefined) throw new Error(`${where}: a structural schema needs a type on every field`);
  return Object.fromEntries(KEYWORDS.filter((k) => k in out).map((k) => [k, out[k]]));
}

export function dataPlaneConfigCrd(): Schema {
  const { version, plural } = apiResource('DataPlaneConfig');
  const spec = toStructural(z.toJSONSchema(dataPlaneConfigSpec, { target: 'openapi-3.0', io: 'input' }));
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GATEPLANE_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'gateplane' } },
    spec: {
      group: GATEPLANE_GROUP,
      names: {
        kind: 'DataPlaneConfig',
        listKind: 'DataPlaneConfigList',
        plural,
        singular: 'dataplaneconfig',
        shortNames: ['dpc'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          additionalPrinterColumns: [
            { name: 'Driver', type: 'string', jsonPath: '.spec.driver' },
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              description:
                'Data-plane settings of a GatewayClass (spec.parametersRef) or of one Gateway ' +
                '(spec.infrastructure.parametersRef): driver, image, replicas, Service, resources.',
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: { description: 'How the proxies of the Gateways using it run.', ...spec },
              },
              required: ['spec'],
            },
          },
        },
      ],
    },
  };
}

const HEADER = (source: string): string =>
  `# Generated by hack/generate-crds.ts from ${source}. Do not edit.\n`;
// Single quotes and no folding: what Prettier (.prettierrc.json) would write, so formatting
// the repository never touches a generated file.
const yaml = (value: unknown): string => stringify(value, { lineWidth: 0, singleQuote: true });

/** Every generated file, by path relative to the repository root. */
export function generatedFiles(): Map<string, string> {
  const crd = HEADER('operator/api/dataPlaneConfig.ts') + yaml(dataPlaneConfigCrd());
  const files = new Map<string, string>([
    [`crds/${CRD_FILE}`, crd],
    [`charts/gateplane/crds/${CRD_FILE}`, crd],
  ]);
  for (const role of ROLES) {
    files.set(
      `charts/gateplane/files/rbac/${role.file}`,
      HEADER('operator/cluster/permissions.ts') + yaml(policyRules(role)),
    );
  }
  return files;
}

/** The generated files whose checked-in content differs from what the sources give now. */
export async function staleFiles(root = ROOT): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, content] of generatedFiles()) {
    const current = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
    if (current !== content) stale.push(file);
  }
  return stale;
}

async function main(args: readonly string[]): Promise<void> {
  if (args.includes('--check')) {
    const stale = await staleFiles();
    if (stale.length > 0) {
      console.error(`Stale generated files (run npx tsx hack/generate-crds.ts): ${stale.join(', ')}`);
      process.exit(1);
    }
    return;
  }
  const files = generatedFiles();
  for (const [file, content] of files) {
    await mkdir(path.dirname(path.join(ROOT, file)), { recursive: true });
    await writeFile(path.join(ROOT, file), content);
  }
  console.log(`Wrote ${[...files.keys()].join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
