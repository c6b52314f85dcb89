/**
 * What the agent tests run: the fake API server holding the Gateway's pod, a REAL proxy started
 * the way the pod's proxy container starts it (wait for the main file, then exec the proxy in the
 * foreground on the shared runtime directory), the agent in-process, and the operator's side of
 * the exchange: render a model with the real driver and publish it with bundle.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { RenderedConfig } from '../../drivers/driver.js';
import { haproxyBinary } from '../../drivers/haproxy/binary.js';
import { DRIVERS } from '../../drivers/index.js';
import {
  Agent,
  APPLIED_HASH_ANNOTATION,
  certificatesSecretName,
  configMapName,
  toBundle,
  type AgentOptions,
  type BundleOptions,
} from '../../operator/agent/index.js';
import type { Certificate, DriverName, GatewayModel } from '../../operator/model/types.js';
import { proxyScript } from '../../operator/provision/deployment.js';
import { FakeKubeApi, kubeConfigFor, type JsonObject } from '../support/fakeKubeApi/index.js';
import { request } from '../support/http.js';
import * as f from '../unit/drivers/haproxy/fixtures.js';
import { processesUsing } from '../unit/drivers/haproxy/live.js';
import { captureLogger, eventually, type CapturedLog } from './support.js';

export const NAMESPACE = 'default';
export const GATEWAY = 'gw';
export const POD = 'gateplane-gw-7d9f-x2x4q';
export const HTTP_PORT = 18_471;
export const HTTPS_PORT = 18_472;
export const SECURE_HOST = 'secure.example.com';

/** A line each proxy's checker refuses. */
export const BROKEN_LINE: Readonly<Record<DriverName, string>> = {
  nginx: 'gateplane_bogus_directive on;',
  haproxy: 'gateplane-bogus-keyword',
};

/** A Gateway answering `status` on every path of HTTP_PORT, and on HTTPS_PORT with `certificate`. */
export function model(driver: DriverName, status: number, certificate?: Certificate): GatewayModel {
  const answer = f.rule('web', 0, f.prefix('/'), f.fixed(status));
  const ports = [f.port(HTTP_PORT, f.vhost('*', answer))];
  if (certificate) ports.push(f.httpsPort(HTTPS_PORT, [f.tlsVhost(SECURE_HOST, [certificate], answer)]));
  return { ...f.gateway(ports, [], certificate ? { certificates: [certificate] } : {}), driver };
}

/** The pod's proxy container script, on `dir`, with the binaries of this machine. */
function proxyContainerCommand(driver: DriverName, dir: string): string {
  return proxyScript(driver, dir, driver === 'nginx' ? '/usr/sbin/nginx' : haproxyBinary());
}

export interface ProxyContainer {
  /** The shell's pid, which `exec` hands to the proxy's master. */
  readonly pid: number;
  readonly exited: Promise<void>;
  stderr(): string;
  /** Graceful stop, then SIGKILL to the whole process group; resolves once nothing is left. */
  stop(): Promise<void>;
}

export function startProxyContainer(driver: DriverName, dir: string): ProxyContainer {
  // Its own process group, so that stop() can reach workers whose master is gone.
  const child = execa('sh', ['-c', proxyContainerCommand(driver, dir)], {
    detached: true,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: false,
    reject: false,
  });
  let tail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (tail = (tail + chunk).slice(-8192)));
  child.catch(() => undefined);
  let done = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (done = true));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the ${driver} proxy container`);
  const kill = (signal: NodeJS.Signals, target: number): void => {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    // Once reaped, the pid may be someone else's: signal the master only while it runs. HAProxy's
    // master ignores signals for a moment after its workers start: repeat, then kill the group.
    const polite = driver === 'nginx' ? 'SIGQUIT' : 'SIGUSR1';
    for (let i = 0; i < 20 && !done; i++) {
      kill(polite, pid);
      await Promise.race([exited, sleep(250)]);
    }
    kill('SIGKILL', -pid);
    await exited;
    for (let i = 0; i < 250 && processesUsing(dir).length > 0; i++) await sleep(20);
    const left = processesUsing(dir);
    if (left.length > 0) throw new Error(`${driver} processes ${left.join(', ')} outlived their container`);
  };
  return { pid, exited, stderr: () => tail, stop: () => (stopping ??= stop()) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Everything one agent test needs, torn down in reverse by `close`. */
export class AgentScene {
  readonly log: CapturedLog = captureLogger();
  agent: Agent | undefined;
  proxy: ProxyContainer | undefined;

  private constructor(
    readonly driver: DriverName,
    readonly address: string,
    readonly api: FakeKubeApi,
    readonly dir: string,
  ) {}

  static async open(driver: DriverName, address: string): Promise<AgentScene> {
    const api = await FakeKubeApi.start();
    const dir = await mkdtemp(path.join(os.tmpdir(), `gp-agent-${driver}-`));
    const scene = new AgentScene(driver, address, api, dir);
    api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: NAMESPACE, name: POD, labels: { 'gateplane.io/gateway': GATEWAY } },
      spec: {
        containers: [
          { name: 'proxy', image: 'gateplane' },
          { name: 'agent', image: 'gateplane' },
        ],
      },
    });
    scene.proxy = startProxyContainer(driver, dir);
    return scene;
  }

  agentOptions(overrides: Partial<AgentOptions> = {}): AgentOptions {
    return {
      kubeConfig: kubeConfigFor(this.api),
      namespace: NAMESPACE,
      podName: POD,
      gateway: GATEWAY,
      driver: DRIVERS[this.driver],
      runtimeDir: this.dir,
      logger: this.log.logger,
      healthAddress: `${this.address}:0`,
      timing: { confirmTimeoutMs: 15_000, retryBaseMs: 20, retryMaxMs: 200 },
      ...overrides,
    };
  }

  async startAgent(overrides: Partial<AgentOptions> = {}): Promise<Agent> {
    this.agent = new Agent(this.agentOptions(overrides));
    await this.agent.start();
    return this.agent;
  }

  /** What the operator does: render with the real driver for this pod's runtime directory. */
  render(status: number, certificate?: Certificate): RenderedConfig {
    return DRIVERS[this.driver].render(model(this.driver, status, certificate), {
      bindAddress: this.address,
      runtimeDir: this.dir,
    });
  }

  /**
   * Publish `config` as the operator does; `edit` may spoil the ConfigMap's data first. Returns
   * the ConfigMap's new resourceVersion, if it was written.
   */
  publish(
    config: RenderedConfig,
    options: { bundle?: BundleOptions; only?: 'configMap' | 'secret' } = {},
    edit: (data: Record<string, string>) => void = () => {},
  ): string | undefined {
    const { configMap, secret } = toBundle(config, options.bundle);
    const data = { ...configMap.data };
    edit(data);
    const metadata = (name: string) => ({ namespace: NAMESPACE, name });
    if (options.only !== 'configMap')
      this.api.put({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: metadata(certificatesSecretName(GATEWAY)),
        type: 'Opaque',
        data: secret.data,
      });
    if (options.only === 'secret') return undefined;
    const written = this.api.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(configMapName(GATEWAY)),
      data,
      ...(configMap.binaryData ? { binaryData: configMap.binaryData } : {}),
    });
    return (written.metadata as { resourceVersion: string }).resourceVersion;
  }

  appliedAnnotation(): string | undefined {
    const pod = this.api.get('v1', 'Pod', NAMESPACE, POD);
    const annotations = (pod?.metadata as JsonObject | undefined)?.annotations as
      Record<string, string> | undefined;
    return annotations?.[APPLIED_HASH_ANNOTATION];
  }

  async status(port = HTTP_PORT): Promise<number> {
    return (await request({ address: this.address, port, path: '/', host: 'app.example.com' })).status;
  }

  /**
   * Waits until new connections get `status`. Right after a reload the status socket may already
   * answer from a new worker while an old one, not yet told to quit, still accepts a connection.
   */
  async answers(status: number): Promise<void> {
    await eventually(async () => (await this.status()) === status, `the proxy answering ${status}`);
  }

  async probe(route: '/healthz' | '/readyz'): Promise<number> {
    const bound = this.agent?.healthAddress;
    if (!bound) throw new Error('the agent serves no health endpoints');
    return (await request({ address: bound.host, port: bound.port, path: route })).status;
  }

  logged(message: string): CapturedLog['entries'] {
    return this.log.entries.filter((entry) => entry.message === message);
  }

  async close(): Promise<void> {
    try {
      await this.agent?.stop();
    } finally {
      try {
        await this.proxy?.stop();
      } finally {
        await this.api.close();
        await rm(this.dir, { recursive: true, force: true });
      }
    }
  }
}
