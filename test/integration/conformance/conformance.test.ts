/**
 * Replays the 37 GATEWAY-HTTP core tests of the upstream Gateway API conformance suite (v1.6.1,
 * reference/conformance-inventory.md Appendix A) and the extended tests the drivers' claimed
 * features unlock (§4.1, §4.2, §6) against `gateplane standalone`, once per driver. As upstream
 * (§3.2), the supported features are read from the GatewayClass status; a test needing one the
 * driver does not claim is recorded NOT_SUPPORTED and not run (and is no mocha test here); the
 * sequential tests run one by one in name order, then the `Parallel: true` tests all at once.
 * Each test's real outcome goes to .gateplane/conformance/<driver>-results.json for
 * hack/conformance-report.ts.
 */
import { GATEWAY_EXTENDED_TESTS } from './gatewayExtendedTests.js';
import { GATEWAY_LISTENER_TESTS } from './gatewayListenerTests.js';
import { GATEWAY_SECRET_TESTS } from './gatewaySecretTests.js';
import { GATEWAY_VALIDATION_TESTS } from './gatewayValidationTests.js';
import { HTTP_ROUTE_FILTER_TESTS } from './httpRouteFilterTests.js';
import { HTTP_ROUTE_HOSTNAME_TESTS } from './httpRouteHostnameTests.js';
import { HTTP_ROUTE_INVALID_TESTS } from './httpRouteInvalidTests.js';
import { HTTP_ROUTE_LIFECYCLE_TESTS } from './httpRouteLifecycleTests.js';
import { HTTP_ROUTE_MATCHING_EXTENDED_TESTS } from './httpRouteMatchingExtendedTests.js';
import { HTTP_ROUTE_MATCHING_TESTS } from './httpRouteMatchingTests.js';
import { HTTP_ROUTE_REDIRECT_EXTENDED_TESTS } from './httpRouteRedirectExtendedTests.js';
import { HTTP_ROUTE_RESPONSE_HEADER_TESTS } from './httpRouteResponseHeaderTests.js';
import { expect } from 'chai';
import { DRIVERS as DRIVER_IMPLEMENTATIONS } from '../../../drivers/index.js';
import { catalogEntry, gatewayHttpLevel, missingFeatures, suiteSupportedFeatures } from './profiles.js';
import { GATEWAY_HTTP_CORE_TESTS } from './results.js';
import { ConformanceSuite, type ConformanceTest, type DriverSetup } from './suite.js';

/** Own loopback pools, so these Gateways never meet those of other integration tests. */
const DRIVERS: readonly DriverSetup[] = [
  { driver: 'nginx', addressPool: '127.10.1.0/24' },
  { driver: 'haproxy', addressPool: '127.10.2.0/24' },
];

const TESTS: readonly ConformanceTest[] = [
  ...GATEWAY_VALIDATION_TESTS,
  ...GATEWAY_LISTENER_TESTS,
  ...GATEWAY_SECRET_TESTS,
  ...HTTP_ROUTE_MATCHING_TESTS,
  ...HTTP_ROUTE_HOSTNAME_TESTS,
  ...HTTP_ROUTE_INVALID_TESTS,
  ...HTTP_ROUTE_LIFECYCLE_TESTS,
  ...HTTP_ROUTE_FILTER_TESTS,
  ...GATEWAY_EXTENDED_TESTS,
  ...HTTP_ROUTE_MATCHING_EXTENDED_TESTS,
  ...HTTP_ROUTE_REDIRECT_EXTENDED_TESTS,
  ...HTTP_ROUTE_RESPONSE_HEADER_TESTS,
].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const coreNames = TESTS.filter((t) => gatewayHttpLevel(catalogEntry(t.name)) === 'core').map((t) => t.name);
if (coreNames.join(',') !== [...GATEWAY_HTTP_CORE_TESTS].sort().join(','))
  throw new Error(`the replayed core tests are not the 37 GATEWAY-HTTP core tests: ${coreNames.join(',')}`);
const REPLAYED = TESTS.map((t) => t.name);

// Upstream's own bounds are the real limits (a status wait can last 300 s); these only stop a hang.
const SETUP_TIMEOUT_MS = 12 * 60_000;
const TEST_TIMEOUT_MS = 15 * 60_000;

for (const setup of DRIVERS) {
  // Only tests whose features the driver claims become mocha tests; the others are recorded as
  // NOT_SUPPORTED for the report and never shown as skipped. The suite still reads the claim
  // from the GatewayClass status, like upstream, and fails if it differs from the driver's list.
  const supported = suiteSupportedFeatures(DRIVER_IMPLEMENTATIONS[setup.driver].supportedFeatures);
  const runnable = TESTS.filter((t) => missingFeatures(catalogEntry(t.name), supported).length === 0);
  describe(`Gateway API conformance, GATEWAY-HTTP core and extended, on ${setup.driver}`, function () {
    this.timeout(SETUP_TIMEOUT_MS);
    const suite = new ConformanceSuite(setup);
    let startedAt = 0;

    before(async () => {
      startedAt = Date.now();
      await suite.start(REPLAYED);
    });

    after(async () => {
      try {
        await suite.stop();
      } finally {
        console.log(`  conformance on ${setup.driver}: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
      }
    });

    describe('sequential tests', function () {
      this.timeout(TEST_TIMEOUT_MS);
      for (const test of runnable.filter((t) => !t.parallel)) {
        it(test.name, async () => {
          await suite.runTest(test);
          expect(suite.expectSucceeded(test.name), `${test.name} ran`).to.equal(true);
        });
      }
    });

    describe('parallel tests (run together after the sequential ones)', function () {
      before(async function () {
        this.timeout(TEST_TIMEOUT_MS);
        await suite.runConcurrently(runnable.filter((t) => t.parallel));
      });
      for (const test of runnable.filter((t) => t.parallel)) {
        it(test.name, () => {
          expect(suite.expectSucceeded(test.name), `${test.name} ran`).to.equal(true);
        });
      }
    });
  });
}
