/**
 * No configuration injection (issue 7, SECURITY.md): a hostile string in any field that reaches a
 * proxy configuration either is refused (at the edge, by the resolver, or by the driver's quoting
 * helper) or ends up as exactly one argument, with the configuration's structure unchanged and
 * the proxy's own checker still accepting it. Run against both drivers with the real `nginx -t`
 * and `haproxy -c`, over a regression corpus of known payloads and over generated strings with a
 * fixed seed. `FUZZ_RUNS=500 npm test` runs a longer search.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stageFiles } from '../../../drivers/deploy.js';
import { DRIVERS } from '../../../drivers/index.js';
import type { Driver } from '../../../drivers/driver.js';
import { fieldsAccepting, modelWith, twin, type Field } from './manifests.js';
import { haproxySkeleton, nginxSkeleton } from './skeleton.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = 20261202;
const SKELETON = { nginx: nginxSkeleton, haproxy: haproxySkeleton };

/** Header names nginx has no `$http_` variable for are refused on purpose (the checker fails). */
const NGINX_UNREADABLE_HEADER = /[^A-Za-z0-9_-]/;

const corpus = readFileSync(new URL('./injection-corpus.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('# '))
  .map((line) =>
    line.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\0/g, '\0').replace(/\\t/g, '\t'),
  );

type Verdict = 'refused' | 'served';

/** Check one payload on one driver; throws with a description when it could inject. */
async function check(driver: Driver, payload: string): Promise<Verdict> {
  const fields = fieldsAccepting(payload);
  if (fields.length === 0) return 'refused';
  const hostile = modelWith(Object.fromEntries(fields.map((f) => [f, payload])));
  const harmless = modelWith(Object.fromEntries(fields.map((f) => [f, twin(f, payload)])));
  if ('refused' in harmless) throw new Error(`the harmless twin was refused: ${harmless.refused}`);
  if ('refused' in hostile) return 'refused';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gp-inject-'));
  try {
    const target = { bindAddress: '127.0.44.1', runtimeDir: dir };
    let config;
    try {
      config = driver.render({ ...hostile.model, driver: driver.name }, target);
    } catch {
      return 'refused'; // the quoting helper refused the value: nothing was written
    }
    stageFiles(config, dir);
    const verdict = await driver.validate(config, dir);
    if (!verdict.ok) {
      // A configuration the proxy refuses is never served: safe, if the refusal is expected.
      if (acceptableRefusal(driver, fields, payload)) return 'refused';
      throw new Error(
        `${driver.name} refused ${JSON.stringify(payload)} in ${fields.join(', ')}: ${verdict.message}`,
      );
    }
    const expected = driver.render({ ...harmless.model, driver: driver.name }, target);
    const main = (c: typeof config): string => c.files.find((f) => f.path === c.main)?.content ?? '';
    expect(
      SKELETON[driver.name](main(config)),
      `structure with ${JSON.stringify(payload)} in ${fields.join(', ')}`,
    ).to.deep.equal(SKELETON[driver.name](main(expected)));
    return 'served';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** When the proxy's checker may refuse a value that is safely quoted: never an injection. */
function acceptableRefusal(driver: Driver, fields: readonly Field[], payload: string): boolean {
  // A regular expression JavaScript compiles but PCRE does not: the route is set aside (isolate.ts).
  if (fields.includes('headerRegex')) return true;
  const headerField = fields.includes('headerName') || fields.includes('setHeaderName');
  return driver.name === 'nginx' && headerField && NGINX_UNREADABLE_HEADER.test(payload);
}

/** Characters that mean something in nginx or HAProxy configuration, or in the shell, or in regex. */
const HOSTILE = [...'"\'`;{}#$\\ \t%&|<>()[]*+?^,=:@!~/.-_', 'é', '😀', 'a', 'Z', '0', '${', '}}', '\\x41'];
/** Control characters are refused at the edge; a few draws still carry one to prove it. */
const CONTROL = ['\n', '\r', '\0'];
const hostileString = fc
  .array(
    fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...HOSTILE) },
      { weight: 1, arbitrary: fc.constantFrom(...CONTROL) },
    ),
    {
      minLength: 1,
      maxLength: 24,
    },
  )
  .map((parts) => parts.join(''));
/** Paths take only RFC 3986 path characters: draw from those, so that most reach the proxy. */
const PATH_CHARS = [..."-._~!$&'()*+,;=:@/", 'a', 'b', '%41', '%7B'];
const hostilePath = fc
  .array(fc.constantFrom(...PATH_CHARS), { minLength: 1, maxLength: 24 })
  .map((parts) => `/${parts.join('')}`);

for (const driver of Object.values(DRIVERS)) {
  describe(`configuration injection on ${driver.name}`, function () {
    this.timeout(300_000);

    it('refuses or quotes every payload of the regression corpus', async () => {
      const outcomes: Record<Verdict, number> = { refused: 0, served: 0 };
      for (const payload of corpus) outcomes[await check(driver, payload)] += 1;
      // Most of the corpus passes validation somewhere and must then reach the proxy intact.
      expect(outcomes.served).to.be.greaterThan(corpus.length / 3);
    });

    it('refuses or quotes generated hostile strings (fixed seed)', async () => {
      let served = 0;
      // Half the draws are paths, which only path fields accept; the others land in header and
      // query values, which accept almost anything printable.
      await fc.assert(
        fc.asyncProperty(fc.oneof(hostileString, hostilePath), async (payload) => {
          if ((await check(driver, payload)) === 'served') served += 1;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      // Most draws must get past validation, or the search would prove nothing.
      expect(served, `${served} of ${RUNS} generated strings reached the proxy`).to.be.greaterThan(RUNS / 3);
    });
  });
}
