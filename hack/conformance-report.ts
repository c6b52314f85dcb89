/**
 * Turns the conformance replay's recorded results (.gateplane/conformance/<driver>-results.json,
 * written by test/integration/conformance) into the upstream ConformanceReport YAML
 * (reference/conformance-inventory.md §5), one per driver, written next to the results as
 * <driver>-report.yaml and printed (with the run's duration, outside the YAML).
 *
 *   node --import tsx hack/conformance-report.ts [--driver nginx|haproxy]
 *
 * One profile, GATEWAY-HTTP, compiled as upstream's `Report()` does (§5.3): tests in name order,
 * each counted as core or extended by its features (§1.2); SUCCEEDED passes, FAILED fails,
 * SKIPPED skips, NOT_SUPPORTED is not counted. The extended section lists the profile's extended
 * features the suite supported (read from the GatewayClass status) and the others, and is left
 * out when no extended test was counted. A test without a recorded outcome that should have run
 * (every core test; an extended test whose features were all supported) counts as skipped, never
 * as passed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Document, Scalar } from 'yaml';
import {
  GATEWAY_HTTP,
  GATEWAY_HTTP_CATALOG,
  GATEWAY_HTTP_EXTENDED_FEATURES,
  gatewayHttpLevel,
  missingFeatures,
} from '../test/integration/conformance/profiles.js';
import {
  readResults,
  RESULTS_DIR,
  resultsFile,
  type DriverName,
  type DriverResults,
  type TestResult,
} from '../test/integration/conformance/results.js';

const DRIVERS: readonly DriverName[] = ['nginx', 'haproxy'];
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Status {
  readonly result: 'success' | 'partial' | 'failure';
  readonly statistics: { readonly Failed: number; readonly Passed: number; readonly Skipped: number };
  readonly failedTests?: readonly string[];
  readonly skippedTests?: readonly string[];
}

interface ExtendedStatus extends Status {
  readonly supportedFeatures?: readonly string[];
  readonly unsupportedFeatures?: readonly string[];
}

/** Go sorts strings by bytes; for these ASCII names that is the default JS order. */
const sorted = (names: Iterable<string>): string[] => [...names].sort();

/**
 * What counts for the report: the recorded result, or, for a test of the profile with no
 * outcome, SKIPPED when it should have run (core, or all its features supported) and
 * NOT_SUPPORTED otherwise.
 */
function countedResults(results: DriverResults): Map<string, TestResult> {
  const recorded = new Map(results.tests.map((t) => [t.name, t.result]));
  const supported = results.supportedFeatures;
  const counted = new Map<string, TestResult>();
  for (const name of sorted(new Set([...GATEWAY_HTTP_CATALOG.keys(), ...recorded.keys()]))) {
    const entry = GATEWAY_HTTP_CATALOG.get(name);
    if (!entry) {
      console.error(`warning: ${name} is not a GATEWAY-HTTP test; left out of the report`);
      continue;
    }
    const shouldHaveRun =
      gatewayHttpLevel(entry) === 'core' ||
      (supported !== undefined && missingFeatures(entry, supported).length === 0);
    counted.set(name, recorded.get(name) ?? (shouldHaveRun ? 'SKIPPED' : 'NOT_SUPPORTED'));
  }
  return counted;
}

/** `compileResults` for one level of one profile (§5.3 steps 3–4); undefined when nothing counted. */
function compileStatus(
  counted: ReadonlyMap<string, TestResult>,
  level: 'core' | 'extended',
): Status | undefined {
  const failed: string[] = [];
  const skipped: string[] = [];
  let passed = 0;
  for (const [name, result] of counted) {
    const entry = GATEWAY_HTTP_CATALOG.get(name);
    if (!entry || gatewayHttpLevel(entry) !== level) continue;
    if (result === 'SUCCEEDED') passed += 1;
    else if (result === 'FAILED') failed.push(name);
    else if (result === 'SKIPPED') skipped.push(name);
  }
  if (passed + failed.length + skipped.length === 0) return undefined;
  return {
    result: failed.length > 0 ? 'failure' : skipped.length > 0 ? 'partial' : 'success',
    statistics: { Failed: failed.length, Passed: passed, Skipped: skipped.length },
    ...(failed.length > 0 ? { failedTests: failed } : {}),
    ...(skipped.length > 0 ? { skippedTests: skipped } : {}),
  };
}

/** The extended status with the profile's extended features split by what the suite supported. */
function extendedStatus(status: Status, results: DriverResults): ExtendedStatus {
  const supported = new Set(results.supportedFeatures ?? []);
  const yes = sorted(GATEWAY_HTTP_EXTENDED_FEATURES.filter((f) => supported.has(f)));
  const no = sorted(GATEWAY_HTTP_EXTENDED_FEATURES.filter((f) => !supported.has(f)));
  return {
    ...status,
    ...(yes.length > 0 ? { supportedFeatures: yes } : {}),
    ...(no.length > 0 ? { unsupportedFeatures: no } : {}),
  };
}

function outcomeText(status: Status): string {
  const { Failed, Skipped } = status.statistics;
  return Failed > 0
    ? `failed with ${Failed} test failures`
    : Skipped > 0
      ? `partially succeeded with ${Skipped} test skips`
      : 'succeeded';
}

/** §5.3 step 5: "Core tests X[. Extended tests Y]." */
const summaryOf = (core: Status, extended: Status | undefined): string =>
  `Core tests ${outcomeText(core)}${extended ? `. Extended tests ${outcomeText(extended)}` : ''}.`;

/** §5.3 step 2: provisional tests that SUCCEEDED, sorted. */
const succeededProvisional = (counted: ReadonlyMap<string, TestResult>): string[] =>
  sorted(
    [...counted]
      .filter(([name, result]) => result === 'SUCCEEDED' && GATEWAY_HTTP_CATALOG.get(name)?.provisional)
      .map(([name]) => name),
  );

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
  const counted = countedResults(results);
  const core = compileStatus(counted, 'core');
  if (!core) throw new Error(`no GATEWAY-HTTP core test counted for ${driver}`);
  const extendedCounted = compileStatus(counted, 'extended');
  const extended = extendedCounted ? extendedStatus(extendedCounted, results) : undefined;
  const provisional = succeededProvisional(counted);
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
    profiles: [
      { name: GATEWAY_HTTP, core, ...(extended ? { extended } : {}), summary: summaryOf(core, extended) },
    ],
    ...(provisional.length > 0 ? { succeededProvisionalTests: provisional } : {}),
  };
  return toYaml(report);
}

/** The run's wall-clock time, for the console only: the report format has no place for it. */
async function runtimeNote(driver: DriverName): Promise<string> {
  const results = await readResults(driver);
  const ms = results?.durationMs;
  return ms === undefined ? '' : ` (run took ${(ms / 1000).toFixed(1)} s)`;
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
      console.log(`# ${path.relative(ROOT, file)}${await runtimeNote(driver)}\n${yaml}`);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      status = 1;
    }
  }
  return status;
}

process.exitCode = await main();
