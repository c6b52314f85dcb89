/**
 * The suite's record of what really happened, per driver, in
 * `.gateplane/conformance/<driver>-results.json`; hack/conformance-report.ts turns it into the
 * upstream report. Rewritten after every test, so an interrupted run still says what ran. It
 * also keeps the features the suite ran with (read from GatewayClass status, as upstream infers
 * them), which the report's extended section lists.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The 37 GATEWAY-HTTP core tests (reference §3.1). */
export const GATEWAY_HTTP_CORE_TESTS = [
  'GatewayClassObservedGenerationBump',
  'GatewayInvalidParametersRef',
  'GatewayInvalidRouteKind',
  'GatewayInvalidTLSConfiguration',
  'GatewayListenerUnsupportedProtocol',
  'GatewayModifyListeners',
  'GatewayObservedGenerationBump',
  'GatewaySecretInvalidReferenceGrant',
  'GatewaySecretMissingReferenceGrant',
  'GatewaySecretReferenceGrantAllInNamespace',
  'GatewaySecretReferenceGrantSpecific',
  'GatewayWithAttachedRoutes',
  'HTTPRouteCrossNamespace',
  'HTTPRouteExactPathMatching',
  'HTTPRouteHTTPSListener',
  'HTTPRouteHeaderMatching',
  'HTTPRouteHostnameIntersection',
  'HTTPRouteInvalidBackendRefUnknownKind',
  'HTTPRouteInvalidCrossNamespaceBackendRef',
  'HTTPRouteInvalidCrossNamespaceParentRef',
  'HTTPRouteInvalidNonExistentBackendRef',
  'HTTPRouteInvalidParentRefNotMatchingSectionName',
  'HTTPRouteInvalidReferenceGrant',
  'HTTPRouteListenerHostnameMatching',
  'HTTPRouteMatching',
  'HTTPRouteMatchingAcrossRoutes',
  'HTTPRouteMultipleGateways',
  'HTTPRouteNoBackendRefs',
  'HTTPRouteObservedGenerationBump',
  'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
  'HTTPRoutePathMatchOrder',
  'HTTPRouteRedirectHostAndStatus',
  'HTTPRouteReferenceGrant',
  'HTTPRouteRequestHeaderModifier',
  'HTTPRouteServiceTypes',
  'HTTPRouteSimpleSameNamespace',
  'HTTPRouteWeight',
] as const;

export type DriverName = 'nginx' | 'haproxy';

/**
 * Upstream's results (reference §5.3): NOT_SUPPORTED when a feature of the test is not supported
 * (never counted in the report); SKIPPED for a supported test this replay does not have.
 */
export type TestResult = 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'NOT_SUPPORTED';

export interface TestOutcome {
  readonly name: string;
  readonly result: TestResult;
  readonly message?: string;
  readonly durationMs: number;
}

export interface DriverResults {
  readonly driver: DriverName;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** Wall-clock time of the whole run (Setup, tests, teardown), set when it finishes. */
  readonly durationMs?: number;
  /** What the driver claims in GatewayClass.status.supportedFeatures. */
  readonly claimedFeatures?: readonly string[];
  /** The suite's supported features: the claimed ones plus GATEWAY-HTTP's core features. */
  readonly supportedFeatures?: readonly string[];
  /** Why the suite could not run (Setup failed); its tests then have no outcome. */
  readonly setupError?: string;
  readonly tests: readonly TestOutcome[];
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RESULTS_DIR = path.join(ROOT, '.gateplane', 'conformance');
export const resultsFile = (driver: DriverName): string => path.join(RESULTS_DIR, `${driver}-results.json`);

export async function writeResults(results: DriverResults): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = resultsFile(results.driver);
  const ordered = {
    ...results,
    tests: [...results.tests].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  await writeFile(`${file}.tmp`, `${JSON.stringify(ordered, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

export async function readResults(driver: DriverName): Promise<DriverResults | undefined> {
  const text = await readFile(resultsFile(driver), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as DriverResults);
}

/** Records outcomes as they come and keeps the file current. */
export class ResultsRecorder {
  private readonly outcomes = new Map<string, TestOutcome>();
  private startedAt = new Date().toISOString();
  private features: { claimed: readonly string[]; supported: readonly string[] } | undefined;
  private setupError: string | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly driver: DriverName) {}

  /** Replace whatever an earlier run left, so a run that stops early is never mistaken for it. */
  begin(): Promise<void> {
    this.startedAt = new Date().toISOString();
    return this.flush();
  }

  setFeatures(claimed: readonly string[], supported: readonly string[]): Promise<void> {
    this.features = { claimed, supported };
    return this.flush();
  }

  record(outcome: TestOutcome): Promise<void> {
    this.outcomes.set(outcome.name, outcome);
    return this.flush();
  }

  failSetup(message: string): Promise<void> {
    this.setupError = message;
    return this.flush();
  }

  outcome(name: string): TestOutcome | undefined {
    return this.outcomes.get(name);
  }

  finish(): Promise<void> {
    return this.flush(new Date().toISOString());
  }

  /** Writes are chained so concurrent tests never interleave two renames. */
  private flush(finishedAt?: string): Promise<void> {
    const snapshot: DriverResults = {
      driver: this.driver,
      startedAt: this.startedAt,
      ...(finishedAt ? { finishedAt, durationMs: Date.parse(finishedAt) - Date.parse(this.startedAt) } : {}),
      ...(this.features
        ? { claimedFeatures: this.features.claimed, supportedFeatures: this.features.supported }
        : {}),
      ...(this.setupError ? { setupError: this.setupError } : {}),
      tests: [...this.outcomes.values()],
    };
    this.writing = this.writing.then(() => writeResults(snapshot));
    return this.writing;
  }
}
