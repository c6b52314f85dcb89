import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { statusDocument, StatusStamper, writeStatusFile } from '../../../operator/status/index.js';
import { CLASS, gateway, HTTP_LISTENER, resolveYaml, route, service } from '../../support/resolveFixture.js';

const YAML =
  CLASS +
  gateway(HTTP_LISTENER) +
  service('v1') +
  route('b', '  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: v1, port: 8080 }] }]') +
  route(
    'a',
    '  parentRefs: [{ name: gw }]\n  hostnames: ["a.example.com"]\n  rules: [{ backendRefs: [{ name: nope, port: 80 }] }]',
  );

describe('status file', () => {
  const stamper = new StatusStamper(() => new Date('2026-01-01T00:00:00Z'));
  const stamped = stamper.stamp(resolveYaml(YAML).statuses);

  it('is JSON.stringify of the sorted items, two-space indented, byte for byte', () => {
    const sorted = [...stamped]
      .sort((a, b) =>
        `${a.kind}/${a.metadata.namespace}/${a.metadata.name}` <
        `${b.kind}/${b.metadata.namespace}/${b.metadata.name}`
          ? -1
          : 1,
      )
      .map((item) =>
        item.metadata.namespace === ''
          ? { ...item, metadata: { name: item.metadata.name, generation: item.metadata.generation } }
          : item,
      );
    expect(sorted.map((item) => item.kind)).to.deep.equal([
      'Gateway',
      'GatewayClass',
      'HTTPRoute',
      'HTTPRoute',
    ]);
    expect(statusDocument(stamped)).to.equal(`${JSON.stringify({ items: sorted }, null, 2)}\n`);
    // Again from the kept texts, in another order: the same document.
    expect(statusDocument([...stamped].reverse())).to.equal(statusDocument(stamped));
  });

  it('is an empty list when nothing is owned', () => {
    expect(statusDocument([])).to.equal(`${JSON.stringify({ items: [] }, null, 2)}\n`);
  });

  it('stamps a status given again as the same object only once', () => {
    const statuses = resolveYaml(YAML).statuses;
    const again = new StatusStamper(() => new Date('2026-01-01T00:00:00Z'));
    const first = again.stamp(statuses);
    const second = again.stamp(statuses);
    expect(second).to.have.length(first.length);
    second.forEach((item, i) => expect(item).to.equal(first[i]));
  });

  it('is written piece by piece, the same bytes as the document, when it runs to megabytes', async () => {
    let yaml = CLASS + gateway(HTTP_LISTENER) + service('v1');
    for (let i = 0; i < 400; i += 1)
      yaml += route(
        `r${i}`,
        '  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: v1, port: 8080 }] }]',
      );
    const many = new StatusStamper(() => new Date('2026-01-01T00:00:00Z')).stamp(resolveYaml(yaml).statuses);
    const folder = await mkdtemp(path.join(os.tmpdir(), 'gp-status-'));
    try {
      const file = path.join(folder, 'status.json');
      await writeStatusFile(file, many);
      const written = await readFile(file, 'utf8');
      expect(written.length).to.be.greaterThan(4 * 64 * 1024);
      expect(written).to.equal(statusDocument(many));
      expect((JSON.parse(written) as { items: unknown[] }).items).to.have.length(402);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
