/**
 * `gateplane agent` as a command: its help, its usage errors, and one run in a child process
 * (environment variables as the Deployment sets them, a kubeconfig file for the fake API server,
 * a real nginx) that ends with SIGTERM and exit code 0.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Command, CommanderError } from 'commander';
import { execa } from 'execa';
import { registerAgentCommand } from '../../operator/cli/agent.js';
import { request } from '../support/http.js';
import { AgentScene, GATEWAY, NAMESPACE, POD } from './agentHarness.js';
import { eventually } from './support.js';

const ADDRESS = '127.0.47.3';
const HEALTH_PORT = 18_499;
const AGENT_CLI = fileURLToPath(new URL('../../operator/cli/agent.ts', import.meta.url));

/** Parse `args` in-process; resolves what commander printed and the error it ended with. */
async function run(args: readonly string[]): Promise<{ output: string; error?: CommanderError }> {
  let output = '';
  const program = new Command('gateplane')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text) });
  registerAgentCommand(program, () => {});
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { output, error };
    throw error;
  }
  return { output };
}

describe('gateplane agent command', function () {
  this.timeout(60_000);

  it('lists every flag, with the environment variable it defaults to', async () => {
    const { output, error } = await run(['agent', '--help']);
    expect(error?.exitCode).to.equal(0);
    for (const text of [
      '--kubeconfig',
      '--namespace <namespace>',
      'env: POD_NAMESPACE',
      '--pod-name <name>',
      'env: POD_NAME',
      '--gateway <name>',
      'env: GATEPLANE_GATEWAY',
      '--driver <driver>',
      'env: GATEPLANE_DRIVER',
      '--runtime-dir <dir>',
      '/var/run/gateplane',
      '--health-address <address>',
      ':9901',
      '--log-level',
      '--log-format',
    ])
      expect(output.replace(/\s+/g, ' ')).to.include(text);
  });

  it('refuses to start without a gateway, or with a health address that is not [host]:port', async () => {
    const base = ['agent', '--namespace', 'ns', '--pod-name', 'p', '--driver', 'nginx'];
    expect((await run(base)).output).to.include("required option '--gateway <name>' not specified");
    const bad = await run([...base, '--gateway', 'gw', '--health-address', '9901']);
    expect(bad.error?.exitCode).to.not.equal(0);
    expect(bad.output).to.include('is not a [host]:port address');
  });

  describe('in a child process', () => {
    let scene: AgentScene;

    beforeEach(async () => {
      scene = await AgentScene.open('nginx', ADDRESS);
    });

    afterEach(async () => {
      await scene.close();
    });

    it('applies the published configuration, serves its probes, and exits 0 on SIGTERM', async () => {
      const kubeconfig = path.join(scene.dir, 'kubeconfig.yaml');
      await writeFile(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{ name: fake, cluster: { server: "${scene.api.url}", insecure-skip-tls-verify: true } }]`,
          'users: [{ name: tester, user: { token: fake-token } }]',
          'contexts: [{ name: fake, context: { cluster: fake, user: tester } }]',
          'current-context: fake',
        ].join('\n'),
      );
      // What bin/gateplane.js does, until operator/main.ts registers the command: then this can
      // run `bin/gateplane.js agent` itself.
      const script = [
        "const { Command } = await import('commander');",
        `const { registerAgentCommand } = await import(${JSON.stringify(AGENT_CLI)});`,
        "const program = new Command('gateplane');",
        'registerAgentCommand(program, (code) => process.exit(code));',
        "await program.parseAsync(process.argv.slice(1), { from: 'user' });",
      ].join('\n');
      const config = scene.render(201);
      scene.publish(config);
      // Identity from the environment, as the Deployment passes it; the rest from flags.
      const child = execa(
        process.execPath,
        [
          ...['--import', 'tsx', '--input-type=module', '-e', script],
          ...['agent', '--kubeconfig', kubeconfig, '--runtime-dir', scene.dir],
          ...['--health-address', `${ADDRESS}:${HEALTH_PORT}`, '--log-format', 'json'],
        ],
        {
          env: {
            POD_NAMESPACE: NAMESPACE,
            POD_NAME: POD,
            GATEPLANE_GATEWAY: GATEWAY,
            GATEPLANE_DRIVER: 'nginx',
          },
          reject: false,
          all: true,
          stdin: 'ignore',
        },
      );
      try {
        await eventually(() => scene.appliedAnnotation() === config.hash, 'the annotation');
        expect((await request({ address: ADDRESS, port: HEALTH_PORT, path: '/readyz' })).status).to.equal(
          200,
        );
        expect(await scene.status()).to.equal(201);
      } finally {
        child.kill('SIGTERM');
      }
      const result = await child;
      expect(result.exitCode, result.all).to.equal(0);
      expect(result.all).to.include('Stopped');
    });
  });
});
