/**
 * The arguments the chart gives the operator, parsed by the real `gateplane run` command line:
 * a renamed flag must fail here, not in a cluster's crash loop. The command's action is replaced,
 * so nothing runs; `$(POD_NAMESPACE)` is expanded as the kubelet would.
 */
import { expect } from 'chai';
import { Command } from 'commander';
import { registerRunCommand, type RunFlags } from '../../../operator/cli/run.js';
import { find, RELEASE_NAMESPACE, renderChart } from './chartRender.js';

async function operatorArgs(set: readonly string[]): Promise<string[]> {
  const manifests = await renderChart(set.flatMap((s) => ['--set', s]));
  const deployment = find(manifests, 'Deployment', 'gateplane-operator') as unknown as {
    spec: { template: { spec: { containers: { args: string[] }[] } } };
  };
  return deployment.spec.template.spec.containers[0]!.args.map((a) =>
    a.replace('$(POD_NAMESPACE)', RELEASE_NAMESPACE),
  );
}

async function parseRun(args: readonly string[]): Promise<RunFlags> {
  const program = new Command('gateplane').exitOverride();
  registerRunCommand(program, () => undefined);
  let flags: RunFlags | undefined;
  program.commands
    .find((c) => c.name() === 'run')!
    .action((parsed: RunFlags) => {
      flags = parsed;
    });
  await program.parseAsync([...args], { from: 'user' });
  if (!flags) throw new Error('gateplane run did not parse the arguments');
  return flags;
}

describe('the operator arguments in the chart', function () {
  this.timeout(180_000);

  it('parse as gateplane run with leader election, the release image and JSON logs', async () => {
    const flags = await parseRun(await operatorArgs([]));
    expect(flags).to.deep.include({
      leaderElection: true,
      leaseNamespace: RELEASE_NAMESPACE,
      leaseName: 'gateplane-leader',
      metricsAddress: ':9090',
      image: 'ghcr.io/gateplane/gateplane:0.1.0',
      logLevel: 'info',
      logFormat: 'json',
    });
    expect(flags.namespaces).to.equal(undefined);
  });

  it('parse without leader election and with watched namespaces when told', async () => {
    const flags = await parseRun(
      await operatorArgs([
        'operator.leaderElection.enabled=false',
        'operator.replicas=1',
        'operator.watchNamespaces={shop,apps}',
        'image.repository=gateplane',
        'image.tag=dev',
      ]),
    );
    expect(flags).to.deep.include({
      leaderElection: false,
      image: 'gateplane:dev',
      namespaces: ['apps', 'shop'],
    });
  });
});
