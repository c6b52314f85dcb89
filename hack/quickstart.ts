/**
 * Runs the quickstart: echo backends for every endpoint in examples/quickstart, then
 * `gateplane standalone --watch` on the same folder, then prints what to curl. Ctrl-C stops
 * everything. Extra arguments are passed to `gateplane standalone`.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEchoPods } from '../test/support/echoPods.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const example = path.join(root, 'examples/quickstart');
const stateDir = path.join(root, '.gateplane');
const statusFile = path.join(stateDir, 'status.json');

const pods = await startEchoPods([example]);
console.log(`Started ${pods.pods.length} echo backends: ${pods.pods.map((p) => p.pod).join(', ')}`);

const args = [
  'standalone',
  '-f',
  example,
  '--watch',
  '--state-dir',
  stateDir,
  '--status-file',
  statusFile,
  ...process.argv.slice(2),
];
// Its own process group: Ctrl-C reaches this script only, which passes it on exactly once (a
// second SIGINT would tell gateplane to stop without draining).
const child = spawn(process.execPath, [path.join(root, 'bin/gateplane.js'), ...args], {
  stdio: 'inherit',
  detached: true,
});

interface GatewayStatus {
  kind: string;
  status: { addresses?: { value: string }[]; conditions?: { type: string; status: string }[] };
}

const announce = setInterval(() => {
  void readFile(statusFile, 'utf8')
    .then((text) => {
      const items = (JSON.parse(text) as { items: GatewayStatus[] }).items;
      const gateway = items.find((i) => i.kind === 'Gateway');
      const address = gateway?.status.addresses?.[0]?.value;
      if (
        !address ||
        !gateway?.status.conditions?.some((c) => c.type === 'Programmed' && c.status === 'True')
      )
        return;
      clearInterval(announce);
      const base = `http://${address}:8080`;
      console.log(
        [
          '',
          `The quickstart Gateway serves on ${base}. Try:`,
          `  curl -H 'Host: www.example.com' ${base}/`,
          `  curl -H 'Host: api.example.com' ${base}/v2/orders`,
          `  for i in $(seq 20); do curl -s -H 'Host: api.example.com' ${base}/ | grep '"pod"'; done   # 80/20 split`,
          `Edit files in examples/quickstart/ and they apply live. Status: ${statusFile}. Ctrl-C stops.`,
          '',
        ].join('\n'),
      );
    })
    .catch(() => undefined);
}, 200);

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => {
  clearInterval(announce);
  void pods.close().then(() => process.exit(code ?? 1));
});
