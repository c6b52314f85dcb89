import { expect } from 'chai';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listManifestFiles, mergeParsed, parseManifestText } from '../../../operator/sources/files.js';

describe('files source: listing', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'gp-files-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('walks folders and links to folders and files, skipping dotfiles and other extensions', async () => {
    const at = (...parts: string[]): string => path.join(root, ...parts);
    await mkdir(at('m', 'b-sub', 'deeper'), { recursive: true });
    await mkdir(at('m', '.hidden'));
    await mkdir(at('linked'));
    for (const file of ['a.yaml', 'C.JSON', 'z.yml', 'notes.txt', '.a.yaml.swp', 'b-sub/x.yaml'])
      await writeFile(at('m', file), '');
    await writeFile(at('m', 'b-sub', 'deeper', 'y.json'), '');
    await writeFile(at('m', '.hidden', 'h.yaml'), '');
    await writeFile(at('linked', 'l.yaml'), '');
    await writeFile(at('plain.txt'), '');
    await symlink(at('linked'), at('m', 'link-dir'));
    await symlink(at('linked', 'l.yaml'), at('m', 'link-file.yaml'));
    await symlink(at('nowhere.yaml'), at('m', 'dangling.yaml'));

    const listed = await listManifestFiles([at('m'), at('plain.txt'), at('missing')]);
    expect(listed.files).to.deep.equal(
      [
        'm/C.JSON',
        'm/a.yaml',
        'm/b-sub/deeper/y.json',
        'm/b-sub/x.yaml',
        'm/link-dir/l.yaml',
        'm/link-file.yaml',
        'm/z.yml',
        'plain.txt',
      ].map((file) => at(file)),
    );
    expect(listed.folders).to.deep.equal(
      ['m', 'm/b-sub', 'm/b-sub/deeper', 'm/link-dir'].map((folder) => at(folder)),
    );
    expect(listed.problems).to.deep.equal([{ file: at('missing'), reason: 'no such file or folder' }]);
  });

  it('resolves relative paths', async () => {
    await writeFile(path.join(root, 'a.yaml'), '');
    const listed = await listManifestFiles([path.relative(process.cwd(), root)]);
    expect(listed.files).to.deep.equal([path.join(root, 'a.yaml')]);
    expect(listed.folders).to.deep.equal([root]);
  });
});

describe('files source: parsing', () => {
  it('reads every document of a multi-document file, skipping empty ones', () => {
    const parsed = parseManifestText(
      'a.yaml',
      '---\napiVersion: v1\nkind: Namespace\nmetadata: { name: one }\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: two }\n',
    );
    expect(parsed.objects.map((o) => o.metadata.name)).to.deep.equal(['one', 'two']);
    expect(parsed.problems).to.deep.equal([]);
  });

  it('reports an invalid object with its document index and the field at fault, and keeps the others', () => {
    const parsed = parseManifestText(
      'a.yaml',
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: ok }\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: gw }\nspec: { gatewayClassName: gp, listeners: [{ name: http, port: 70000, protocol: HTTP }] }\n',
    );
    expect(parsed.objects.map((o) => o.metadata.name)).to.deep.equal(['ok']);
    expect(parsed.problems).to.have.length(1);
    expect(parsed.problems[0]).to.include({ file: 'a.yaml', document: 1 });
    expect(parsed.problems[0]?.reason).to.match(/^spec\.listeners\[0\]\.port: /);
  });

  it('reports a document that is not YAML by index', () => {
    const parsed = parseManifestText(
      'a.yaml',
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: ok }\n---\nkind: [unclosed\n',
    );
    expect(parsed.objects).to.have.length(1);
    expect(parsed.problems[0]).to.include({ document: 1 });
    expect(parsed.problems[0]?.reason).to.match(/^not valid YAML/);
  });

  it('lists kinds it does not read as ignored, not as problems', () => {
    const parsed = parseManifestText(
      'a.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\n',
    );
    expect(parsed.ignored).to.deep.equal([
      { file: 'a.yaml', document: 0, apiVersion: 'apps/v1', kind: 'Deployment' },
    ]);
    expect(parsed.problems).to.deep.equal([]);
  });

  it('puts namespaced objects without a namespace in default, like kubectl', () => {
    const parsed = parseManifestText(
      'a.yaml',
      'apiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec: { ports: [{ port: 80 }] }\n',
    );
    expect(parsed.objects[0]?.metadata.namespace).to.equal('default');
  });

  it('rejects an EndpointSlice address that is not of its address type', () => {
    const parsed = parseManifestText(
      'a.yaml',
      'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: { name: s }\naddressType: IPv4\nendpoints: [{ addresses: ["1.2.3.4; evil"] }]\n',
    );
    expect(parsed.problems[0]?.reason).to.equal('endpoints[0].addresses[0]: must be an IPv4 address');
  });

  it('keeps the first definition of an object defined twice and reports the second', () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: { name: dup }\n';
    const merged = mergeParsed([
      { file: 'a.yaml', result: parseManifestText('a.yaml', ns) },
      { file: 'b.yaml', result: parseManifestText('b.yaml', ns) },
    ]);
    expect(merged.objects).to.have.length(1);
    expect(merged.problems).to.deep.equal([
      { file: 'b.yaml', reason: 'Namespace//dup is also defined in a.yaml; that definition is used' },
    ]);
  });
});
