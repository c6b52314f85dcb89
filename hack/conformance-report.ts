/**
 * Turns the conformance replay's recorded results (.gateplane/conformance/<driver>-results.json,
 * written by test/integration/conformance) into the upstream ConformanceReport YAML
 * (reference/conformance-inventory.md §5), one per driver, written next to the results as
 * <driver>-report.yaml and printed.
 *
 *   node --import tsx hack/conformance-report.ts [--driver nginx|haproxy]
 *
 * Only the 37 GATEWAY-HTTP core tests are replayed, so the report has that one profile and no
 * extended section. A core test without a recorded outcome did not run: it counts as skipped
 * (as upstream counts tests it did not run), never as passed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Document, Scalar } from 'yaml';
import {
  GATEWAY_HTTP_CORE_TESTS,
  readResults,
  RESULTS_DIR,
  resultsFile,
  type DriverName,
  type DriverResults,
} from '../test/integration/conformance/results.js';

const DRIVERS: readonly DriverName[] = ['nginx', 'haproxy'];
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface CoreStatus {
  readonly result: 'success' | 'partial' | 'failure';
  readonly statistics: { readonly Failed: number; readonly Passed: number; readonly Skipped: number };
  readonly failedTests?: readonly string[];
  readonly skippedTests?: readonly string[];
}

/** `compileResults` for one profile with core tests only (§5.3). */
function coreStatus(results: DriverResults): CoreStatus {
  const outcomes = new Map(results.tests.map((t) => [t.name, t.result]));
  const failed: string[] = [];
  const skipped: string[] = [];
  let passed = 0;
  for (const name of [...GATEWAY_HTTP_CORE_TESTS].sort()) {
    const outcome = outcomes.get(name);
    if (outcome === 'SUCCEEDED') passed += 1;
    else if (outcome === 'FAILED') failed.push(name);
    else skipped.push(name);
  }
  return {
    result: failed.length > 0 ? 'failure' : skipped.length > 0 ? 'partial' : 'success',
    statistics: { Failed: failed.length, Passed: passed, Skipped: skipped.length },
    ...(failed.length > 0 ? { failedTests: failed } : {}),
    ...(skipped.length > 0 ? { skippedTests: skipped } : {}),
  };
}

function summaryOf(core: CoreStatus): string {
  const { Failed, Skipped } = core.statistics;
  const outcome =
    Failed > 0
      ? `failed with ${Failed} test failures`
      : Skipped > 0
        ? `partially succeeded with ${Skipped} test skips`
        : 'succeeded';
  return `Core tests ${outcome}.`;
}

/** RFC 3339 in seconds, as Go's time.RFC3339 prints UTC. */
const rfc3339 = (iso: string): string => iso.replace(/\.\d{3}Z$/, 'Z');

async function implementationVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The report as sigs.k8s.io/yaml prints it: keys sorted, sequences not indented, the date quoted. */
function toYaml(report: Record<string, unknown>): string {
  const doc = new Document(report, { sortMapEntries: true });
  const date = doc.get('date', true);
  if (date instanceof Scalar) date.type = Scalar.QUOTE_DOUBLE;
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}

async function reportFor(driver: DriverName, version: string): Promise<string> {
  const results = await readResults(driver);
  if (!results)
    throw new Error(`no results for ${driver}: run the conformance suite first (${resultsFile(driver)})`);
  if (results.setupError)
    console.error(`warning: ${driver} Setup failed, no test ran: ${results.setupError}`);
  if (!results.finishedAt)
    console.error(`warning: the ${driver} run did not finish; tests without an outcome count as skipped`);
  const core = coreStatus(results);
  const report = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ConformanceReport',
    date: rfc3339(results.finishedAt ?? new Date().toISOString()),
    gatewayAPIChannel: 'standard',
    gatewayAPIVersion: 'v1.6.1',
    implementation: {
      contact: ['@gateplane/maintainers'],
      organization: 'gateplane',
      project: 'gateplane',
      url: 'https://github.com/gateplane/gateplane',
      version,
    },
    // One mode per data-plane driver: the same control plane, two proxies, two reports.
    mode: driver,
    profiles: [{ name: 'GATEWAY-HTTP', core, summary: summaryOf(core) }],
  };
  return toYaml(report);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { driver: { type: 'string' } } });
  const requested = values.driver;
  if (requested !== undefined && !DRIVERS.includes(requested as DriverName)) {
    console.error(`--driver must be one of ${DRIVERS.join(', ')}`);
    return 2;
  }
  const drivers = requested ? [requested as DriverName] : DRIVERS;
  const version = await implementationVersion();
  let status = 0;
  for (const driver of drivers) {
    try {
      const yaml = await reportFor(driver, version);
      const file = path.join(RESULTS_DIR, `${driver}-report.yaml`);
      await writeFile(file, yaml);
      console.log(`# ${path.relative(ROOT, file)}\n${yaml}`);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      status = 1;
    }
  }
  return status;
}

process.exitCode = await main();
