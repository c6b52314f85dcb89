/**
 * One driver's conformance run: the base fixtures, the echo pods, one `gateplane standalone
 * --watch` process, upstream's Setup waits, the supported features read from the GatewayClass
 * status as upstream infers them, and each test applied, run, cleaned up and recorded, or
 * recorded NOT_SUPPORTED without running when the driver lacks one of its features (§3.2).
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  proxyProcessesUnder,
  startStandalone,
  tempDir,
  type StandaloneRun,
} from '../../support/standalone.js';
import { backendPods, startBackendPods, type BackendPod } from './backendPods.js';
import {
  BASE_NAMESPACES,
  baseManifests,
  makeBaseCertificates,
  type BaseCertificates,
} from './baseFixtures.js';
import { GatewayStatus } from './gatewayStatus.js';
import { ManifestFolder } from './manifestFolder.js';
import { GATEWAY_CLASS, manifestKey, type Manifest } from './manifests.js';
import { catalogEntry, GATEWAY_HTTP_CATALOG, missingFeatures, suiteSupportedFeatures } from './profiles.js';
import { ResultsRecorder, RESULTS_DIR, type DriverName } from './results.js';
import { errorMessage } from './roundTrip.js';
import { RouteStatus } from './routeStatus.js';
import { StatusView } from './statusReading.js';
import { done, notYet, poll, TIMEOUTS } from './timing.js';

export interface TestContext {
  readonly gateways: GatewayStatus;
  readonly routes: RouteStatus;
  readonly pods: readonly BackendPod[];
  readonly certificates: BaseCertificates;
  /** Create or update ("patch") objects; anything applied is deleted at cleanup. */
  apply(manifests: readonly Manifest[]): Promise<void>;
  delete(manifests: readonly Manifest[]): Promise<void>;
}

export interface ConformanceTest {
  /** The upstream ShortName; its features and provisional flag are in profiles.ts. */
  readonly name: string;
  /** Upstream `Parallel: true`: run concurrently after the sequential tests. */
  readonly parallel: boolean;
  readonly manifests: readonly Manifest[];
  run(t: TestContext): Promise<void>;
}

export interface DriverSetup {
  readonly driver: DriverName;
  readonly addressPool: string;
}

const unsupported = (features: readonly string[]): string =>
  `not supported: needs ${features.join(', ')}, which the driver does not claim`;

/** Kinds whose status the controller writes: their disappearance shows a deletion was processed. */
const STATUS_KINDS = new Set(['GatewayClass', 'Gateway', 'HTTPRoute']);

export class ConformanceSuite {
  readonly recorder: ResultsRecorder;
  private folder: ManifestFolder | undefined;
  private view: StatusView | undefined;
  private run: StandaloneRun | undefined;
  private pods: { close(): Promise<void> } | undefined;
  private podList: readonly BackendPod[] = [];
  private certificates: BaseCertificates | undefined;
  private stateDir: string | undefined;
  private supportedFeatures: readonly string[] | undefined;

  constructor(private readonly setup: DriverSetup) {
    this.recorder = new ResultsRecorder(setup.driver);
  }

  /**
   * Fixtures, pods, standalone, then Setup: GatewayClass accepted, its supportedFeatures read,
   * base Gateways ready. The profile's tests this replay does not have (`replayed` lists those it
   * has) are recorded at once: NOT_SUPPORTED, or SKIPPED if the driver claims all their features.
   */
  async start(replayed: readonly string[]): Promise<void> {
    await this.recorder.begin();
    try {
      const folder = new ManifestFolder(await tempDir(`conformance-${this.setup.driver}`));
      this.folder = folder;
      this.certificates = await makeBaseCertificates();
      this.podList = backendPods();
      await folder.apply(baseManifests(this.podList, this.certificates));
      this.pods = await startBackendPods(this.podList);
      this.run = await startStandalone({
        paths: [folder.root],
        driver: this.setup.driver,
        addressPool: this.setup.addressPool,
        watch: true,
      });
      this.stateDir = this.run.stateDir;
      this.view = new StatusView(this.run.statusFile, folder);
      const gateways = new GatewayStatus(this.view);
      await gateways.gatewayClassMustHaveLatestConditions(
        GATEWAY_CLASS,
        { type: 'Accepted', status: 'True' },
        TIMEOUTS.gatewayClassMustBeAccepted,
      );
      await this.inferSupportedFeatures(this.view);
      await this.recordNotReplayed(replayed);
      await gateways.namespacesMustBeReady(BASE_NAMESPACES);
    } catch (error) {
      await this.recorder.failSetup(errorMessage(error));
      throw error;
    }
  }

  /**
   * `GatewayClass.status.supportedFeatures[].name`, as upstream reads them when no feature flag is
   * given, plus the profile's core features (§1.2 rule 4).
   */
  private async inferSupportedFeatures(view: StatusView): Promise<void> {
    const { item } = await view.lookup('GatewayClass', { name: GATEWAY_CLASS });
    const published = (item?.status['supportedFeatures'] ?? []) as readonly { name: string }[];
    const claimed = published.map((f) => f.name).sort();
    this.supportedFeatures = suiteSupportedFeatures(claimed);
    await this.recorder.setFeatures(claimed, this.supportedFeatures);
  }

  private async recordNotReplayed(replayed: readonly string[]): Promise<void> {
    for (const entry of GATEWAY_HTTP_CATALOG.values()) {
      if (replayed.includes(entry.name)) continue;
      const missing = missingFeatures(entry, this.supported());
      await this.recorder.record(
        missing.length > 0
          ? { name: entry.name, result: 'NOT_SUPPORTED', message: unsupported(missing), durationMs: 0 }
          : {
              name: entry.name,
              result: 'SKIPPED',
              message: 'the driver claims all its features, but this replay has no such test',
              durationMs: 0,
            },
      );
    }
  }

  private supported(): readonly string[] {
    if (!this.supportedFeatures) throw new Error('supported features are not known before Setup');
    return this.supportedFeatures;
  }

  /**
   * Apply the test's manifests, run it, clean up (even on failure), and record the outcome; a test
   * with a feature the suite does not support is recorded NOT_SUPPORTED and not run.
   */
  async runTest(test: ConformanceTest): Promise<void> {
    const missing = missingFeatures(catalogEntry(test.name), this.supported());
    if (missing.length > 0) {
      await this.recorder.record({
        name: test.name,
        result: 'NOT_SUPPORTED',
        message: unsupported(missing),
        durationMs: 0,
      });
      return;
    }
    const started = Date.now();
    const applied = new Map<string, Manifest>();
    let failure: string | undefined;
    try {
      const context = this.context(applied);
      await context.apply(test.manifests);
      await test.run(context);
    } catch (error) {
      failure = errorMessage(error);
    }
    try {
      await this.cleanup([...applied.values()]);
    } catch (error) {
      failure = [failure, `cleanup: ${errorMessage(error)}`].filter(Boolean).join('\n');
    }
    const durationMs = Date.now() - started;
    await this.recorder.record(
      failure === undefined
        ? { name: test.name, result: 'SUCCEEDED', durationMs }
        : { name: test.name, result: 'FAILED', message: failure, durationMs },
    );
  }

  /** Upstream's parallel tests: all at once, each recorded on its own. */
  async runConcurrently(tests: readonly ConformanceTest[]): Promise<void> {
    await Promise.all(tests.map((test) => this.runTest(test)));
  }

  /**
   * Rethrows a recorded failure; a test with no outcome did not run, which is not a pass. Returns
   * false for a test that was not run because a feature is not supported.
   */
  expectSucceeded(name: string): boolean {
    const outcome = this.recorder.outcome(name);
    if (!outcome) throw new Error(`${name} did not run`);
    if (outcome.result === 'FAILED') throw new Error(outcome.message);
    if (outcome.result === 'SKIPPED') throw new Error(`${name} was skipped: ${outcome.message ?? ''}`);
    return outcome.result === 'SUCCEEDED';
  }

  /** Stop standalone and the pods whatever happened, keep the logs, and insist no proxy is left. */
  async stop(): Promise<void> {
    const problems: string[] = [];
    if (this.run) {
      const run = this.run;
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<undefined>(
        (resolve) => (timer = setTimeout(() => resolve(undefined), 45_000)),
      );
      const exit = await Promise.race([run.stop(), giveUp]);
      clearTimeout(timer);
      if (!exit) {
        problems.push('gateplane standalone did not exit within 45 s of SIGTERM; killed');
        run.child.kill('SIGKILL');
        await run.stop();
      } else if (exit.code !== 0) problems.push(`gateplane standalone exited with ${JSON.stringify(exit)}`);
      await writeFile(path.join(RESULTS_DIR, `${this.setup.driver}-standalone.log`), run.logs()).catch(
        () => undefined,
      );
      const leftovers = await proxyProcessesUnder(this.stateDir ?? run.stateDir);
      for (const pid of leftovers) process.kill(pid, 'SIGKILL');
      if (leftovers.length > 0)
        problems.push(`proxy processes left behind (killed): ${leftovers.join(', ')}`);
    }
    await this.pods?.close();
    await this.recorder.finish();
    // The folders this run made: the state folder, the manifests, standalone's status-file folder.
    const statusDir = this.run ? path.dirname(this.run.statusFile) : undefined;
    for (const dir of [this.stateDir, this.folder?.root, statusDir])
      if (dir) await rm(dir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  private context(applied: Map<string, Manifest>): TestContext {
    const { folder, view, certificates } = this.started();
    const gateways = new GatewayStatus(view);
    return {
      gateways,
      routes: new RouteStatus(view, gateways),
      pods: this.podList,
      certificates,
      apply: async (manifests) => {
        for (const m of manifests) applied.set(manifestKey(m), m);
        await folder.apply(manifests);
      },
      delete: async (manifests) => {
        for (const m of manifests) applied.delete(manifestKey(m));
        await folder.delete(manifests);
      },
    };
  }

  /**
   * Upstream deletes a test's objects and waits (deleteTimeout) until they are gone. Here the
   * files go at once; waiting until the controller has dropped their status means the next test
   * starts from the base fixtures, as upstream's does.
   */
  private async cleanup(manifests: readonly Manifest[]): Promise<void> {
    const { folder, view } = this.started();
    await folder.delete(manifests);
    const watched = manifests.filter((m) => STATUS_KINDS.has(m.kind));
    if (watched.length === 0) return;
    await poll(
      `status of deleted objects to disappear`,
      async () => {
        const items = await view.read();
        const left = watched.filter((m) =>
          items.some(
            (i) =>
              i.kind === m.kind &&
              i.metadata.name === m.metadata.name &&
              (i.metadata.namespace ?? undefined) === m.metadata.namespace,
          ),
        );
        return left.length === 0 ? done(undefined) : notYet(left.map(manifestKey).join(', '));
      },
      TIMEOUTS.delete,
    );
  }

  private started(): { folder: ManifestFolder; view: StatusView; certificates: BaseCertificates } {
    if (!this.folder || !this.view || !this.certificates) throw new Error('the suite has not started');
    return { folder: this.folder, view: this.view, certificates: this.certificates };
  }
}
