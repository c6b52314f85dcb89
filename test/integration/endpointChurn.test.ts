import http from 'node:http';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { readMasterCounters } from '../../drivers/haproxy/masterCli.js';
import { masterSocketPath } from '../../drivers/haproxy/process.js';
import { readMasterPid } from '../../operator/standalone/proxyRuntime.js';
import { gatewayFolder } from '../../operator/standalone/stateDir.js';
import { startEcho, type EchoServer } from '../support/echo.js';
import {
  condition,
  eventually,
  findStatus,
  proxyProcessesUnder,
  readStatus,
  startStandalone,
  tempDir,
  waitFor,
  type StandaloneRun,
} from '../support/standalone.js';

/**
 * EndpointSlice churn under `gateplane standalone --watch --driver haproxy` (issue 6): a backend
 * scales 1 → 5 → 1 → 6 → 12 → 1 while a client sends requests without pause (12: past the eight
 * server slots rendered for one endpoint, so HAProxy adds dynamic servers). HAProxy takes every change
 * through its runtime API: no request fails, the master's reload counter does not move after the
 * first configuration, and requests reach the new endpoints.
 */
const POOL = '127.0.59.0/24';
const ADDRESS = '127.0.59.1';
const PORT = 18490;
const POD_PORT = 3000;
const podAddress = (i: number): string => `127.0.49.${i}`;
const TWELVE = Array.from({ length: 12 }, (_, i) => i + 1);
const GATEWAY = { namespace: 'default', name: 'gw' };

const manifests = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gateplane }
spec: { controllerName: gateplane.io/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: gateplane
  listeners: [{ name: http, port: ${PORT}, protocol: HTTP }]
---
apiVersion: v1
kind: Service
metadata: { name: echo, namespace: default }
spec: { ports: [{ name: http, port: 80, targetPort: ${POD_PORT} }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: echo, port: 80 }] }]
`;

const slice = (pods: readonly number[]): string => `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: echo-1, namespace: default, labels: { kubernetes.io/service-name: echo } }
addressType: IPv4
ports: [{ name: http, port: ${POD_PORT} }]
endpoints:
${pods.map((i) => `  - { addresses: ["${podAddress(i)}"], targetRef: { kind: Pod, name: echo-${i} } }`).join('\n')}
`;

interface Sample {
  /** When the response ended (or the request failed), performance.now(). */
  readonly at: number;
  readonly pod?: string;
  readonly failure?: string;
}

/** Two clients sending requests without pause: one on a kept-alive connection, one on new ones. */
class Traffic {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly loops = [this.loop(this.agent), this.loop(false)];

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
  }

  failures(): string[] {
    return this.samples.flatMap((s) => (s.failure ? [s.failure] : []));
  }

  /** Pods that answered after `since`. */
  podsSince(since: number): Set<string> {
    return new Set(this.samples.filter((s) => s.at > since && s.pod).map((s) => s.pod!));
  }

  private async loop(agent: http.Agent | false): Promise<void> {
    while (this.running) {
      const reply = await once(agent).catch((error: unknown) => ({ failure: String(error) }));
      this.samples.push({ at: performance.now(), ...reply });
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

function once(agent: http.Agent | false): Promise<{ pod?: string; failure?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ADDRESS, port: PORT, path: '/', agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) resolve({ failure: `status ${res.statusCode}: ${body.slice(0, 200)}` });
        else resolve({ pod: (JSON.parse(body) as { pod: string }).pod });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

describe('endpoint churn on haproxy', function () {
  this.timeout(90_000);
  let dir: string;
  let run: StandaloneRun | undefined;
  const pods: EchoServer[] = [];
  let traffic: Traffic | undefined;
  const figures: string[] = [];

  const folder = (): string => gatewayFolder(run!.stateDir, GATEWAY);
  // The master CLI does not answer for a moment after a start or reload: ask until it does.
  const reloads = (): Promise<number> =>
    waitFor(
      'the master counters',
      async () => (await readMasterCounters(masterSocketPath(folder())))?.reloads,
    );

  /** Replace the EndpointSlice file the way tools do (write aside, rename over); when it happened. */
  async function writeSlice(indices: readonly number[]): Promise<number> {
    const temp = path.join(dir, '.endpoints.yaml.tmp');
    await writeFile(temp, slice(indices));
    const at = performance.now();
    await rename(temp, path.join(dir, 'endpoints.yaml'));
    return at;
  }

  /**
   * Scale to `indices` and wait until only they answer, every one of them. Records how long after
   * the write the first new pod answered and the last removed one did.
   */
  async function scaleTo(indices: readonly number[], before: readonly number[]): Promise<void> {
    const wanted = new Set(indices.map((i) => `echo-${i}`));
    const added = indices.filter((i) => !before.includes(i)).map((i) => `echo-${i}`);
    const written = await writeSlice(indices);
    const converged = (): boolean => {
      const last = traffic!.samples.filter((s) => s.at > written && s.pod).slice(-20);
      const settled = last.length === 20 && last.every((s) => wanted.has(s.pod!));
      return settled && [...wanted].every((pod) => traffic!.podsSince(written).has(pod));
    };
    await waitFor(`every pod of ${[...wanted].join(', ')} answering`, () =>
      Promise.resolve(converged() ? true : undefined),
    );
    const after = traffic!.samples.filter((s) => s.at > written && s.pod);
    const firstNew = after.find((s) => added.includes(s.pod!));
    const lastOld = after.filter((s) => !wanted.has(s.pod!)).pop();
    const ms = (at: number | undefined): string =>
      at === undefined ? '-' : `${(at - written).toFixed(0)} ms`;
    figures.push(
      `${before.length} → ${indices.length}: first new endpoint ${ms(firstNew?.at)}, last removed endpoint ${ms(lastOld?.at)} after the write`,
    );
    // Keep the traffic on the settled endpoints for a while: nothing may fail or stray later.
    const settled = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      [...traffic!.podsSince(settled)].filter((pod) => !wanted.has(pod)),
      'removed pods answering',
    ).to.deep.equal([]);
  }

  before(async () => {
    dir = await tempDir('churn');
    for (const i of TWELVE)
      pods.push(
        await startEcho({ namespace: 'default', pod: `echo-${i}`, service: 'echo' }, podAddress(i), POD_PORT),
      );
    await writeFile(path.join(dir, 'gateway.yaml'), manifests);
    await writeSlice([1]);
    run = await startStandalone({ paths: [dir], driver: 'haproxy', addressPool: POOL, watch: true });
  });

  after(async () => {
    await traffic?.stop();
    const exit = await run?.stop();
    await Promise.all(pods.map((pod) => pod.close()));
    if (run) {
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(await proxyProcessesUnder(run.stateDir)).to.deep.equal([]);
    }
    if (process.env.GATEPLANE_TIMINGS) console.log(figures.map((line) => `      ${line}`).join('\n'));
  });

  it('scales 1 → 5 → 1 → 6 → 12 → 1 with no failed request and no reload after the first configuration', async () => {
    await eventually('the first endpoint', async () => {
      expect(await once(false)).to.deep.equal({ pod: 'echo-1' });
    });
    const pid = await waitFor('the proxy pid', () => readMasterPid(folder()));
    const first = await reloads();
    traffic = new Traffic();

    await scaleTo([1, 2, 3, 4, 5], [1]);
    await scaleTo([1], [1, 2, 3, 4, 5]);
    await scaleTo([1, 2, 3, 4, 5, 6], [1]);
    await scaleTo(TWELVE, [1, 2, 3, 4, 5, 6]);
    await scaleTo([1], TWELVE);

    await traffic.stop();
    const sent = traffic.samples.length;
    expect(traffic.failures(), `failures among ${sent} requests`).to.deep.equal([]);
    expect(await reloads(), 'reloads of the master').to.equal(first);
    expect(await readMasterPid(folder())).to.equal(pid);
    figures.push(
      `${sent} requests, ${traffic.failures().length} failed, ${(await reloads()) - first} reloads`,
    );
  });

  it('reports the Gateway Programmed once the last endpoints serve', async () => {
    await waitFor('Programmed=True', async () => {
      const gateway = findStatus(await readStatus(run!.statusFile), 'Gateway', 'gw');
      return condition(gateway?.status.conditions, 'Programmed')?.status === 'True' ? true : undefined;
    });
  });
});
