/**
 * Writes of the objects we own: server-side apply and delete, as plain HTTP over client-node's
 * KubeConfig (credentials, TLS). client-node's typed calls would pass our manifests through its
 * model classes, which drop fields they do not know and would make "exactly the fields we own"
 * depend on the library's version.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../sources/kubernetes/index.js';
import { FIELD_MANAGER } from './names.js';
import type { KubeManifest, OwnedKind } from './objects.js';

export interface ObjectRef {
  readonly kind: OwnedKind;
  readonly namespace: string;
  readonly name: string;
}

export interface ObjectClient {
  /** Server-side apply with force: the result as the API server stored it. */
  apply(manifest: KubeManifest): Promise<Readonly<Record<string, unknown>>>;
  /** Deletes in the background (dependents are garbage collected); gone already is fine. */
  delete(ref: ObjectRef): Promise<void>;
}

const COLLECTIONS: Readonly<Record<OwnedKind, string>> = {
  ServiceAccount: '/api/v1/namespaces/{ns}/serviceaccounts',
  RoleBinding: '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings',
  ConfigMap: '/api/v1/namespaces/{ns}/configmaps',
  Secret: '/api/v1/namespaces/{ns}/secrets',
  Service: '/api/v1/namespaces/{ns}/services',
  Deployment: '/apis/apps/v1/namespaces/{ns}/deployments',
};

export function objectPath(ref: ObjectRef): string {
  const collection = COLLECTIONS[ref.kind].replace('{ns}', encodeURIComponent(ref.namespace));
  return `${collection}/${encodeURIComponent(ref.name)}`;
}

const describe = (ref: ObjectRef): string => `${ref.kind} ${ref.namespace}/${ref.name}`;

interface Request {
  readonly method: 'PATCH' | 'DELETE';
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

async function send(kc: KubeConfig, request: Request): Promise<{ code: number; text: string }> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(server + request.path);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const transport = url.protocol === 'http:' ? http.request : https.request;
  return new Promise((resolve, reject) => {
    const req = transport(
      url,
      {
        ...options,
        method: request.method,
        headers: { ...options.headers, Accept: 'application/json', 'Content-Type': request.contentType },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ code: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

function failure(code: number, text: string, what: string): KubeApiError {
  let message = '';
  let reason: string | undefined;
  try {
    const status = JSON.parse(text) as { message?: unknown; reason?: unknown };
    if (typeof status.message === 'string') message = `: ${status.message}`;
    if (typeof status.reason === 'string') reason = status.reason;
  } catch {
    // Not a Status body (a proxy's error page): the code says enough.
  }
  return new KubeApiError(code, reason, `${what}: HTTP ${code}${message}`);
}

export function httpObjectClient(kc: KubeConfig): ObjectClient {
  return {
    async apply(manifest) {
      const ref = { kind: manifest.kind, ...manifest.metadata };
      const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: 'true' });
      const what = `apply ${describe(ref)}`;
      // JSON is YAML: the apply content type takes either.
      const { code, text } = await send(kc, {
        method: 'PATCH',
        path: `${objectPath(ref)}?${query.toString()}`,
        contentType: 'application/apply-patch+yaml',
        body: JSON.stringify(manifest),
      });
      if (code !== 200 && code !== 201) throw failure(code, text, what);
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch (error) {
        throw new Error(`${what}: the response is not JSON`, { cause: error });
      }
    },
    async delete(ref) {
      const { code, text } = await send(kc, {
        method: 'DELETE',
        path: objectPath(ref),
        contentType: 'application/json',
        body: JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }),
      });
      if (code !== 200 && code !== 202 && code !== 404) throw failure(code, text, `delete ${describe(ref)}`);
    },
  };
}
