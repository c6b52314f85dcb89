/**
 * What every pod gateplane ships must satisfy (restricted Pod Security Standard, plus resources
 * and probes), as a list of problems: empty means fine. Written for the operator's Deployment in
 * the chart; the proxy Deployment the provisioner builds can be checked with it too.
 */
export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly args?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly resources?: {
    readonly requests?: Record<string, unknown>;
    readonly limits?: Record<string, unknown>;
  };
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly securityContext?: SecurityContext;
  readonly volumeMounts?: readonly { readonly name: string }[];
}

interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string | number };
  readonly exec?: unknown;
}

interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly privileged?: boolean;
  readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] };
  readonly seccompProfile?: { readonly type: string };
}

export interface PodTemplate {
  readonly metadata: { readonly labels?: Record<string, string> };
  readonly spec: {
    readonly serviceAccountName?: string;
    readonly hostNetwork?: boolean;
    readonly hostPID?: boolean;
    readonly securityContext?: SecurityContext;
    readonly containers: readonly Container[];
    readonly volumes?: readonly { readonly name: string }[];
  };
}

export interface PodCheckOptions {
  /** Containers allowed to run without probes of their own (the proxy: its agent probes it). */
  readonly withoutProbes?: readonly string[];
}

function probeProblems(c: Container, kind: 'livenessProbe' | 'readinessProbe'): string[] {
  const probe = c[kind];
  if (!probe) return [`${c.name}: no ${kind}`];
  const port = probe.httpGet?.port;
  if (typeof port === 'string' && !(c.ports ?? []).some((p) => p.name === port)) {
    return [`${c.name}: ${kind} uses port ${port}, which the container does not name`];
  }
  return [];
}

function securityProblems(c: Container, pod: SecurityContext | undefined): string[] {
  const s = c.securityContext ?? {};
  const problems: string[] = [];
  const nonRoot = s.runAsNonRoot ?? pod?.runAsNonRoot;
  const user = s.runAsUser ?? pod?.runAsUser;
  if (nonRoot !== true || user === 0) problems.push(`${c.name}: may run as root`);
  if (s.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allows privilege escalation`);
  if (s.readOnlyRootFilesystem !== true) problems.push(`${c.name}: root filesystem is writable`);
  if (s.privileged === true) problems.push(`${c.name}: is privileged`);
  if (!(s.capabilities?.drop ?? []).includes('ALL'))
    problems.push(`${c.name}: does not drop ALL capabilities`);
  if ((s.capabilities?.add ?? []).length > 0) problems.push(`${c.name}: adds capabilities`);
  if ((s.seccompProfile ?? pod?.seccompProfile)?.type !== 'RuntimeDefault')
    problems.push(`${c.name}: no RuntimeDefault seccomp profile`);
  return problems;
}

function resourceProblems(c: Container): string[] {
  const problems: string[] = [];
  for (const side of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (c.resources?.[side]?.[resource] === undefined) problems.push(`${c.name}: no ${resource} ${side}`);
    }
  }
  return problems;
}

export function podChecks(template: PodTemplate, options: PodCheckOptions = {}): string[] {
  const { spec } = template;
  const problems: string[] = [];
  if (spec.hostNetwork === true || spec.hostPID === true) problems.push('pod: shares a host namespace');
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  for (const c of spec.containers) {
    if (!c.image) problems.push(`${c.name}: no image`);
    problems.push(...securityProblems(c, spec.securityContext), ...resourceProblems(c));
    if (!(options.withoutProbes ?? []).includes(c.name)) {
      problems.push(...probeProblems(c, 'livenessProbe'), ...probeProblems(c, 'readinessProbe'));
    }
    for (const mount of c.volumeMounts ?? []) {
      if (!volumes.has(mount.name))
        problems.push(`${c.name}: mounts ${mount.name}, which the pod does not define`);
    }
  }
  return problems;
}
