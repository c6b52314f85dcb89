import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerRunCommand } from '../../operator/cli/run.js';
import { proxyObjectNames } from '../../operator/provision/index.js';
import { kubeConfigFor, type FakeKubeApi, type JsonObject } from '../support/fakeKubeApi/index.js';
import {
  backend,
  gateway,
  gatewayClass,
  object,
  route,
  startApi,
  startController,
  type Running,
} from './clusterHarness.js';
import { eventually } from './support.js';

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

describe('gateplane run', () => {
  let api: FakeKubeApi;
  let run: Running | undefined;

  beforeEach(async () => {
    api = await startApi();
    api.put(gatewayClass());
    backend(api);
    api.put(gateway());
    api.put(route('web'));
  });

  afterEach(async () => {
    await run?.controller.stop();
    run = undefined;
    await api.close();
  });

  it('serves /metrics, /healthz and /readyz', async () => {
    run = await startController(api, { metricsAddress: '127.0.0.1:0' });
    await eventually(() => object(api, 'Service', proxyObjectNames('gw').service) !== undefined, 'published');
    await run.controller.idle();
    const port = run.controller.healthAddress?.port ?? 0;

    expect(await get(port, '/healthz')).to.deep.include({ status: 200 });
    expect(await get(port, '/readyz')).to.deep.include({ status: 200 });
    const { status, body } = await get(port, '/metrics');
    expect(status).to.equal(200);
    for (const line of [
      'gateplane_reconciles_total{kind="gateway",result="success"}',
      'gateplane_reconciles_total{kind="status",result="success"}',
      'gateplane_leader 1',
      'gateplane_queue_depth 0',
      'gateplane_validate_duration_seconds_count{driver="nginx"} 1',
      'gateplane_render_duration_seconds_count{driver="nginx"} 1',
      'gateplane_object_writes_total{kind="Deployment",operation="apply"} 1',
      'gateplane_status_writes_total{result="written"}',
    ]) {
      expect(body).to.include(line);
    }
    expect(body).to.include('gateplane_reconcile_errors_total');
    expect((await get(port, '/nothing')).status).to.equal(404);
  });

  describe('command line', () => {
    let dir: string;
    let output: string;
    let code: number | undefined;
    let program: Command;

    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-run-test-'));
      output = '';
      code = undefined;
      program = new Command('gateplane').exitOverride();
      program.configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text) });
      registerRunCommand(program, (exitCode) => (code = exitCode));
    });

    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('documents its flags in --help', async () => {
      const help = await program
        .parseAsync(['run', '--help'], { from: 'user' })
        .catch((error: unknown) => error);
      expect(help).to.be.instanceOf(CommanderError).and.include({ exitCode: 0 });
      for (const flag of [
        '--kubeconfig',
        '--namespaces',
        '--leader-election',
        '--no-leader-election',
        '--lease-namespace',
        '--lease-name',
        '--metrics-address',
        '--log-level',
        '--log-format',
        '--driver',
      ]) {
        expect(output).to.include(flag);
      }
    });

    it('refuses a malformed namespace list or listen address as a usage error', async () => {
      for (const args of [
        ['--namespaces', 'Not_A_Namespace'],
        ['--metrics-address', 'nowhere'],
      ]) {
        const error = await program.parseAsync(['run', ...args], { from: 'user' }).catch((e: unknown) => e);
        expect(error, args.join(' '))
          .to.be.instanceOf(CommanderError)
          .and.include({ code: 'commander.invalidArgument' });
      }
      expect(code).to.equal(undefined);
    });

    it('leads, publishes, and on SIGTERM releases the Lease and exits 0', async () => {
      const kubeconfig = path.join(dir, 'kubeconfig');
      await writeFile(kubeconfig, kubeConfigFor(api).exportConfig());
      const running = program.parseAsync(
        [
          'run',
          '--kubeconfig',
          kubeconfig,
          '--metrics-address',
          '127.0.0.1:0',
          '--lease-namespace',
          'default',
          '--log-level',
          'error',
        ],
        { from: 'user' },
      );
      const holder = () =>
        (
          api.get('coordination.k8s.io/v1', 'Lease', 'default', 'gateplane-leader')?.spec as
            JsonObject | undefined
        )?.holderIdentity;
      await eventually(() => typeof holder() === 'string' && holder() !== '', 'the Lease is held');
      await eventually(
        () => object(api, 'Service', proxyObjectNames('gw').service) !== undefined,
        'published',
      );

      process.emit('SIGTERM', 'SIGTERM');
      await running;
      expect(code).to.equal(0);
      expect(holder()).to.equal('');
    });
  });
});
