/**
 * The proxy Deployment of a Gateway: the proxy container, which waits for the agent to write its
 * main file and then runs the proxy in the foreground, and the agent sidecar, which applies each
 * configuration, reloads and records the applied hash on its pod. They share the runtime folder
 * (an emptyDir) and the process namespace, so the agent can signal the proxy's master.
 *
 * The configuration hash is deliberately not in the pod template: a new configuration is a
 * reload by the agent, never a rollout.
 */
import type { DriverName } from '../model/index.js';
import type { ProxyPodSettings } from './dataPlaneSettings.js';
import type { KubeManifest } from './objects.js';
import { GATEWAY_LABEL, gatewayLabelValue, RUNTIME_DIR, type ProxyObjectNames } from './names.js';

export const AGENT_PORT = 9901;
const RUNTIME_VOLUME = 'runtime';
const PROXY_USER = 101;
/** Room for the proxy to finish in-flight requests after the drain timeout, before SIGKILL. */
const SHUTDOWN_MARGIN_SECONDS = 5;

const AGENT_RESOURCES = {
  requests: { cpu: '20m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

const LOCKED_DOWN = {
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/**
 * The proxy container's script, on the runtime folder `dir`: wait for the agent's first
 * configuration, then replace the shell with the proxy (`binary`).
 */
export function proxyScript(driver: DriverName, dir: string, binary: string = driver): string {
  const main = `${dir}/${driver === 'nginx' ? 'nginx.conf' : 'haproxy.cfg'}`;
  const wait = `until [ -f ${main} ]; do sleep 0.2; done; `;
  if (driver === 'haproxy') return `${wait}exec ${binary} -W -S ${dir}/master.sock,mode,600 -f ${main}`;
  // Sockets left by an nginx that was killed would make its bind() fail; nothing serves on them
  // when this container starts. nginx runs in the handover folder the agent made before the
  // first configuration (drivers/nginx/handover.ts).
  const clean = `rm -f ${dir}/status.sock ${dir}/handover/*/*.sock; cd ${dir}/handover && `;
  return `${wait}${clean}exec ${binary} -c ${main} -p ${dir}/ -g "daemon off; master_process on;"`;
}

const fieldEnv = (name: string, fieldPath: string) => ({
  name,
  valueFrom: { fieldRef: { fieldPath } },
});

export interface DeploymentInput {
  readonly gateway: string;
  readonly names: ProxyObjectNames;
  readonly labels: Readonly<Record<string, string>>;
  readonly metadata: KubeManifest['metadata'];
  readonly settings: ProxyPodSettings;
}

export function desiredDeployment(input: DeploymentInput): KubeManifest {
  const { settings, labels, names } = input;
  const mount = [{ name: RUNTIME_VOLUME, mountPath: RUNTIME_DIR }];
  const probe = (path: string) => ({ httpGet: { path, port: AGENT_PORT } });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: input.metadata,
    spec: {
      ...(settings.replicas !== undefined ? { replicas: settings.replicas } : {}),
      selector: { matchLabels: { [GATEWAY_LABEL]: gatewayLabelValue(input.gateway) } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: names.serviceAccount,
          shareProcessNamespace: true,
          terminationGracePeriodSeconds: settings.drainTimeoutSeconds + SHUTDOWN_MARGIN_SECONDS,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: PROXY_USER,
            runAsGroup: PROXY_USER,
            fsGroup: PROXY_USER,
            seccompProfile: { type: 'RuntimeDefault' },
            // Lets the unprivileged proxy bind 80 and 443.
            sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
          },
          volumes: [{ name: RUNTIME_VOLUME, emptyDir: {} }],
          containers: [
            {
              name: 'proxy',
              image: settings.proxyImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', proxyScript(settings.driver, RUNTIME_DIR)],
              securityContext: LOCKED_DOWN,
              resources: settings.resources,
              volumeMounts: mount,
            },
            {
              name: 'agent',
              image: settings.agentImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['gateplane', 'agent'],
              env: [
                fieldEnv('POD_NAME', 'metadata.name'),
                fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                { name: 'GATEPLANE_GATEWAY', value: input.gateway },
                { name: 'GATEPLANE_DRIVER', value: settings.driver },
              ],
              ports: [{ name: 'agent', containerPort: AGENT_PORT, protocol: 'TCP' }],
              readinessProbe: { ...probe('/readyz'), periodSeconds: 2, failureThreshold: 1 },
              livenessProbe: { ...probe('/healthz'), periodSeconds: 10, failureThreshold: 3 },
              securityContext: LOCKED_DOWN,
              resources: AGENT_RESOURCES,
              volumeMounts: mount,
            },
          ],
        },
      },
    },
  };
}
