// The Kubernetes kinds T-Env knows, said once: plural, API group and version, whether sleep scales
// them, and whether (and in which phase) a copy from a baseline carries them. The adapters'
// registry (adapters/kinds.ts) turns each entry into API calls and informers; the store, sleep,
// the sleeper, logs, dev mode and the baseline copy all look kinds up here.

export interface KindInfo {
  readonly kind: string;
  /** Plural resource name, e.g. `deployments`. */
  readonly plural: string;
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  /**
   * Copies from a baseline apply kinds phase by phase, config before what uses it:
   * 0 ServiceAccounts, ConfigMaps, Secrets, PVCs; 1 Services; 2 Ingresses, NetworkPolicies,
   * PodDisruptionBudgets; 3 workloads. Absent: never copied.
   */
  readonly copyPhase?: 0 | 1 | 2 | 3;
}

export const KINDS = {
  ServiceAccount: { kind: 'ServiceAccount', plural: 'serviceaccounts', group: '', version: 'v1', copyPhase: 0 },
  ConfigMap: { kind: 'ConfigMap', plural: 'configmaps', group: '', version: 'v1', copyPhase: 0 },
  Secret: { kind: 'Secret', plural: 'secrets', group: '', version: 'v1', copyPhase: 0 },
  PersistentVolumeClaim: { kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', group: '', version: 'v1', copyPhase: 0 },
  Service: { kind: 'Service', plural: 'services', group: '', version: 'v1', copyPhase: 1 },
  Ingress: { kind: 'Ingress', plural: 'ingresses', group: 'networking.k8s.io', version: 'v1', copyPhase: 2 },
  NetworkPolicy: { kind: 'NetworkPolicy', plural: 'networkpolicies', group: 'networking.k8s.io', version: 'v1', copyPhase: 2 },
  PodDisruptionBudget: { kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', group: 'policy', version: 'v1', copyPhase: 2 },
  Deployment: { kind: 'Deployment', plural: 'deployments', group: 'apps', version: 'v1', copyPhase: 3 },
  StatefulSet: { kind: 'StatefulSet', plural: 'statefulsets', group: 'apps', version: 'v1', copyPhase: 3 },
  CronJob: { kind: 'CronJob', plural: 'cronjobs', group: 'batch', version: 'v1', copyPhase: 3 },
  Pod: { kind: 'Pod', plural: 'pods', group: '', version: 'v1' },
  Event: { kind: 'Event', plural: 'events', group: '', version: 'v1' },
} as const satisfies Record<string, KindInfo>;

export type KindName = keyof typeof KINDS;

/** Kinds that sleep scales down (or suspends) and that the tree lists as workloads. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'CronJob'] as const satisfies readonly KindName[];
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A workload of an environment, by kind and name. */
export interface WorkloadRef {
  readonly kind: WorkloadKind;
  readonly name: string;
}

/** An environment (a namespace) in one kubeconfig context. */
export interface EnvRef {
  readonly context: string;
  readonly namespace: string;
}

/**
 * The one key of an environment or of a workload in it, for maps of live things (log streams):
 * two contexts, or a Deployment and a StatefulSet of the same name, never share a key.
 */
export function refKey(ref: EnvRef & Partial<WorkloadRef>): string {
  return JSON.stringify(ref.kind === undefined ? [ref.context, ref.namespace] : [ref.context, ref.namespace, ref.kind, ref.name ?? '']);
}

/** A workload by name, of one kind or of any (`t logs api`, an agent's set_image without a kind). */
export type WorkloadLookup = Omit<WorkloadRef, 'kind'> & { readonly kind?: WorkloadKind | undefined };

/** Workload kinds with `spec.replicas` (the rest are suspended instead). */
export const SCALABLE_KINDS = ['Deployment', 'StatefulSet'] as const satisfies readonly WorkloadKind[];
export type ScalableKind = (typeof SCALABLE_KINDS)[number];

/** Kinds a copy from a baseline carries, in apply order. */
export const COPY_KINDS: readonly KindName[] = (Object.keys(KINDS) as KindName[])
  .filter((k) => (KINDS[k] as KindInfo).copyPhase !== undefined)
  .sort((a, b) => ((KINDS[a] as KindInfo).copyPhase ?? 0) - ((KINDS[b] as KindInfo).copyPhase ?? 0));

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

export function isScalableKind(kind: string): kind is ScalableKind {
  return (SCALABLE_KINDS as readonly string[]).includes(kind);
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(info: KindInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The REST path of a kind, in one namespace or across all: `/apis/apps/v1/namespaces/x/deployments`. */
export function resourcePath(info: KindInfo, namespace?: string): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  return namespace === undefined ? `${base}/${info.plural}` : `${base}/namespaces/${namespace}/${info.plural}`;
}

/** The child kind whose warnings count as a workload's own (ReplicaSets of a Deployment, Jobs of a CronJob). */
export function childKindOf(kind: WorkloadKind): string | undefined {
  return kind === 'Deployment' ? 'ReplicaSet' : kind === 'CronJob' ? 'Job' : undefined;
}
