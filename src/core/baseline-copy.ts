// Environments from a baseline: what a copy carries and how each object is made fit for a
// developer. The contract (README, "Baselines"):
// - A baseline is a namespace labelled `t-env.dev/baseline=true` (CI/CD deploys `main` into it);
//   T-Env only reads it. An environment made from it carries annotation `t-env.dev/baseline`.
// - Copied objects carry label `t-env.dev/from-baseline: <baseline>`, annotation
//   `t-env.dev/baseline-hash` (hash of the normalized baseline object at copy time: the baseline
//   moved on when it differs) and `t-env.dev/copy-hash` (hash of the copy as applied: it was
//   edited here when it differs).
// - Never copied: what Kubernetes or a tool makes per namespace (controller-owned objects, the
//   `kube-root-ca.crt` ConfigMap, the `default` ServiceAccount, token Secrets, Helm's release
//   records), and kinds outside the registry's copy list (Pods, ReplicaSets, Jobs, Endpoints,
//   EndpointSlices, Events, Leases, HPAs).
// - Normalized: server-set metadata, status and tool annotations dropped; Services lose their
//   cluster IPs and node ports and become ClusterIP; PVCs keep only their claim (never the volume).
// - References to the baseline's namespace are rewritten in DNS forms only (`<svc>.<baseline>`,
//   `.svc`, `.svc.cluster.local`), in env values, command/args and ConfigMap data; Ingress hosts
//   get the environment's name. Deployments and StatefulSets run `t-env.dev/replicas` pods, else 1.
import { createHash } from 'node:crypto';
import { ANNOTATION_REPLICAS_BEFORE_SLEEP } from './environment.ts';
import type { Meta } from './environment.ts';
import { apiVersionOf, COPY_KINDS, isScalableKind, KINDS } from './kinds.ts';
import type { KindName } from './kinds.ts';

/** On a namespace: `true` makes it a baseline. */
export const LABEL_BASELINE = 't-env.dev/baseline';
/** On a baseline namespace: the git ref it is deployed from (e.g. `origin/main`). */
export const ANNOTATION_GIT_REF = 't-env.dev/git-ref';
/** On an environment namespace: the baseline it was created from. */
export const ANNOTATION_BASELINE = 't-env.dev/baseline';
/** On an environment namespace while a create from a baseline has not finished (a re-run resumes it). */
export const ANNOTATION_COPY_PENDING = 't-env.dev/copy-pending';
/** On a copied object: the baseline it was copied from. */
export const LABEL_FROM_BASELINE = 't-env.dev/from-baseline';
export const ANNOTATION_BASELINE_HASH = 't-env.dev/baseline-hash';
export const ANNOTATION_COPY_HASH = 't-env.dev/copy-hash';
/** On a baseline workload: the replicas a developer's copy runs (default 1). */
export const ANNOTATION_REPLICAS = 't-env.dev/replicas';

const HELM_RELEASE_SECRET = 'helm.sh/release.v1';
const TOKEN_SECRET = 'kubernetes.io/service-account-token';

/** A Kubernetes object as JSON (what the API returns, structurally). */
export interface KubeObject {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata?: (Meta & Record<string, unknown>) | undefined;
  [field: string]: unknown;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : undefined;
}

/** Why an object of a baseline is not copied, or undefined when it is. */
export function neverCopyReason(kind: string, obj: KubeObject): string | undefined {
  if (!(COPY_KINDS as readonly string[]).includes(kind)) return `${kind}s are made per namespace or not copied`;
  const meta = obj.metadata ?? {};
  const owner = meta.ownerReferences?.find((o) => o.controller);
  if (owner) return `managed by ${owner.kind}/${owner.name}`;
  if (meta.deletionTimestamp) return 'being deleted';
  if (meta.labels?.['owner'] === 'helm') return 'a Helm release record';
  if (kind === 'ConfigMap' && meta.name === 'kube-root-ca.crt') return 'made by Kubernetes in every namespace';
  if (kind === 'ServiceAccount' && meta.name === 'default') return 'made by Kubernetes in every namespace';
  if (kind === 'Secret' && obj['type'] === TOKEN_SECRET) return 'a service-account token';
  if (kind === 'Secret' && obj['type'] === HELM_RELEASE_SECRET) return 'a Helm release record';
  return undefined;
}

const DROPPED_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'ownerReferences', 'selfLink',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'finalizers', 'generateName', 'namespace'];
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision',
  ANNOTATION_BASELINE_HASH, ANNOTATION_COPY_HASH, ANNOTATION_REPLICAS_BEFORE_SLEEP];
const DROPPED_ANNOTATION_PREFIXES = ['meta.helm.sh/', 'argocd.argoproj.io/', 'pv.kubernetes.io/', 'volume.beta.kubernetes.io/', 'volume.kubernetes.io/'];
/** Service fields that only exist for LoadBalancer/NodePort (the API server rejects them on ClusterIP). */
const EXTERNAL_SERVICE_FIELDS = ['externalTrafficPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'loadBalancerIP', 'loadBalancerSourceRanges', 'healthCheckNodePort'];

function keptAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  const kept = Object.entries(annotations).filter(([k]) => !DROPPED_ANNOTATIONS.includes(k) && !DROPPED_ANNOTATION_PREFIXES.some((p) => k.startsWith(p)));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/**
 * The baseline object without what the cluster or its tools set, as plain JSON with `apiVersion`
 * and `kind` (typed clients' lists leave them out). Its hash is the `baseline-hash`.
 */
export function normalizeBaselineObject(kind: KindName, obj: KubeObject): KubeObject {
  const copy = JSON.parse(JSON.stringify(obj)) as KubeObject;
  delete copy['status'];
  const meta: Json = { ...(copy.metadata ?? {}) };
  for (const key of DROPPED_METADATA) delete meta[key];
  const annotations = keptAnnotations(meta['annotations'] as Record<string, string> | undefined);
  if (annotations) meta['annotations'] = annotations; else delete meta['annotations'];
  if (meta['labels'] && Object.keys(meta['labels']).length === 0) delete meta['labels'];
  const spec = record(copy['spec']);
  if (kind === 'Service' && spec) {
    if (spec['clusterIP'] !== 'None') { delete spec['clusterIP']; delete spec['clusterIPs']; }
    if (spec['type'] === 'LoadBalancer' || spec['type'] === 'NodePort') spec['type'] = 'ClusterIP';
    if (spec['type'] !== 'ExternalName') for (const f of EXTERNAL_SERVICE_FIELDS) delete spec[f];
    if (Array.isArray(spec['ports'])) for (const p of spec['ports'] as Json[]) delete p['nodePort'];
  }
  if (kind === 'PersistentVolumeClaim' && spec) {
    // The claim, never the volume: a copy binds a new volume of the same size and class.
    for (const f of ['volumeName', 'dataSource', 'dataSourceRef']) delete spec[f];
  }
  if (kind === 'ServiceAccount') delete copy['secrets'];
  return { apiVersion: apiVersionOf(KINDS[kind]), kind, ...copy, metadata: meta };
}

/** JSON with sorted keys: the same object always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = record(value);
  if (obj) return `{${Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

export function objectHash(obj: unknown): string {
  return createHash('sha256').update(canonicalJson(obj)).digest('hex').slice(0, 20);
}

/**
 * An object of the environment as compared with the copy T-Env applied: normalized, without
 * T-Env's own marks and without what sleep changes (replicas, suspend), so sleeping and waking
 * never count as an edit.
 */
export function comparableForm(kind: KindName, obj: KubeObject): KubeObject {
  const n = normalizeBaselineObject(kind, obj);
  const meta = n.metadata ?? {};
  if (meta.labels) {
    const { [LABEL_FROM_BASELINE]: _from, ...labels } = meta.labels;
    meta.labels = Object.keys(labels).length > 0 ? labels : undefined;
  }
  const spec = record(n['spec']);
  if (spec && isScalableKind(kind)) delete spec['replicas'];
  if (spec && kind === 'CronJob') delete spec['suspend'];
  return n;
}

// ---- namespace references ---------------------------------------------------------------------

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites `<svc>.<from>`, `<svc>.<from>.svc` and `<svc>.<from>.svc.cluster.local` to the same
 * form in `to`. Only whole DNS names: `main` in `domain`, `api.main.example.com` and
 * `api.maintenance` stay as they are.
 */
export function rewriteNamespaceReferences(text: string, from: string, to: string): string {
  const pattern = new RegExp(`(?<=[a-z0-9])\\.${escapeRegExp(from)}((?:\\.svc(?:\\.cluster\\.local)?)?)(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, 'g');
  return text.replace(pattern, (_match, suffix: string) => `.${to}${suffix}`);
}

/**
 * An Ingress host of the environment: a label equal to the baseline's name becomes the
 * environment's name (`main.shop.example` → `jane.shop.example`); other hosts get `<env>-` in
 * front of their first label (`shop.example` → `jane-shop.example`; `*.shop.example` →
 * `*.jane-shop.example`).
 */
export function rewriteIngressHost(host: string, baseline: string, environment: string): string {
  const labels = host.split('.');
  if (labels.includes(baseline)) return labels.map((l) => (l === baseline ? environment : l)).join('.');
  const first = labels[0] === '*' ? 1 : 0;
  if (labels[first] === undefined) return host;
  labels[first] = `${environment}-${labels[first]}`;
  return labels.join('.');
}

/** The pod spec of a workload (Deployment, StatefulSet, CronJob), if any. */
export function podSpecOf(kind: string, obj: KubeObject): Json | undefined {
  const spec = record(obj['spec']);
  const template = kind === 'CronJob' ? record(record(record(spec?.['jobTemplate'])?.['spec'])?.['template']) : record(spec?.['template']);
  return record(template?.['spec']);
}

function rewriteContainers(podSpec: Json, rewrite: (s: string) => string): void {
  for (const field of ['containers', 'initContainers']) {
    const containers = podSpec[field];
    if (!Array.isArray(containers)) continue;
    for (const c of containers as Json[]) {
      for (const list of ['command', 'args']) {
        if (Array.isArray(c[list])) c[list] = (c[list] as unknown[]).map((v) => (typeof v === 'string' ? rewrite(v) : v));
      }
      if (Array.isArray(c['env'])) for (const e of c['env'] as Json[]) if (typeof e['value'] === 'string') e['value'] = rewrite(e['value']);
    }
  }
}

/** The images of a workload's containers, `name=image` joined with `, ` (init containers too). */
export function imagesOf(kind: string, obj: KubeObject): string {
  const spec = podSpecOf(kind, obj);
  if (!spec) return '';
  return ['initContainers', 'containers'].flatMap((f) => (Array.isArray(spec[f]) ? spec[f] as Json[] : []))
    .map((c) => `${String(c['name'])}=${String(c['image'])}`).join(', ');
}

/** The replicas a developer's copy runs: the baseline workload's `t-env.dev/replicas`, else 1. */
export function developerReplicas(obj: KubeObject): number {
  const wanted = obj.metadata?.annotations?.[ANNOTATION_REPLICAS];
  return wanted !== undefined && /^(0|[1-9]\d{0,3})$/.test(wanted) ? Number(wanted) : 1;
}

export interface CopyTarget {
  baseline: string;
  environment: string;
  /**
   * The environment is an overlay (core/overlay-plan.ts): pod templates also search
   * `<baseline>.svc.cluster.local`, so names that are not Services (`db-0.db`) reach the baseline.
   */
  overlay?: boolean | undefined;
}

function addDnsSearch(podSpec: Json, domain: string): void {
  const dnsConfig = record(podSpec['dnsConfig']) ?? {};
  const searches = Array.isArray(dnsConfig['searches']) ? dnsConfig['searches'] as unknown[] : [];
  if (!searches.includes(domain)) dnsConfig['searches'] = [...searches, domain];
  podSpec['dnsConfig'] = dnsConfig;
}

export interface PreparedCopy {
  readonly kind: KindName;
  readonly name: string;
  /** What is applied to the environment (namespace included). */
  readonly object: KubeObject;
  readonly baselineHash: string;
  readonly copyHash: string;
}

/**
 * Whether a copy may be applied at any point of a copy's phases: an ExternalName Service has no
 * cluster IP, so no pod's service environment variables depend on it existing first (an
 * overlay's routed Services are all such).
 */
export function needsNoOrder(copy: PreparedCopy): boolean {
  return copy.kind === 'Service' && (copy.object['spec'] as { type?: unknown } | undefined)?.type === 'ExternalName';
}

/** Turns one baseline object into the object applied to the environment. */
export function prepareCopy(kind: KindName, obj: KubeObject, target: CopyTarget): PreparedCopy {
  const normalized = normalizeBaselineObject(kind, obj);
  const baselineHash = objectHash(normalized);
  const copy = JSON.parse(JSON.stringify(normalized)) as KubeObject;
  const rewrite = (s: string): string => rewriteNamespaceReferences(s, target.baseline, target.environment);
  const podSpec = podSpecOf(kind, copy);
  if (podSpec) rewriteContainers(podSpec, rewrite);
  if (podSpec && target.overlay) addDnsSearch(podSpec, `${target.baseline}.svc.cluster.local`);
  if (kind === 'ConfigMap' && record(copy['data'])) {
    copy['data'] = Object.fromEntries(Object.entries(copy['data'] as Json).map(([k, v]) => [k, typeof v === 'string' ? rewrite(v) : v]));
  }
  const spec = record(copy['spec']);
  if (kind === 'Ingress' && spec) {
    const host = (h: unknown): unknown => (typeof h === 'string' ? rewriteIngressHost(h, target.baseline, target.environment) : h);
    if (Array.isArray(spec['rules'])) for (const r of spec['rules'] as Json[]) if (r['host'] !== undefined) r['host'] = host(r['host']);
    if (Array.isArray(spec['tls'])) for (const t of spec['tls'] as Json[]) if (Array.isArray(t['hosts'])) t['hosts'] = (t['hosts'] as unknown[]).map(host);
  }
  if (spec && isScalableKind(kind)) spec['replicas'] = developerReplicas(obj);
  const meta = copy.metadata ?? {};
  meta.labels = { ...(meta.labels ?? {}), [LABEL_FROM_BASELINE]: target.baseline };
  const copyHash = objectHash(comparableForm(kind, copy));
  meta.annotations = { ...(meta.annotations ?? {}), [ANNOTATION_BASELINE_HASH]: baselineHash, [ANNOTATION_COPY_HASH]: copyHash };
  meta['namespace'] = target.environment;
  copy.metadata = meta;
  return { kind, name: meta.name ?? '', object: copy, baselineHash, copyHash };
}

/**
 * A copy for an asleep environment: it stays asleep (0 replicas, or suspended) and records the
 * size it wakes to in `t-env.dev/replicas-before-sleep`, exactly as sleep would have left it.
 */
export function asleepCopy(copy: PreparedCopy): PreparedCopy {
  const spec = record(copy.object['spec']);
  if (!spec || !(isScalableKind(copy.kind) || copy.kind === 'CronJob')) return copy;
  const object = JSON.parse(JSON.stringify(copy.object)) as KubeObject;
  const asleepSpec = record(object['spec'])!;
  const meta = object.metadata ?? {};
  const recorded = copy.kind === 'CronJob' ? String(spec['suspend'] === true) : String(typeof spec['replicas'] === 'number' ? spec['replicas'] : 1);
  if (copy.kind === 'CronJob') asleepSpec['suspend'] = true; else asleepSpec['replicas'] = 0;
  meta.annotations = { ...(meta.annotations ?? {}), [ANNOTATION_REPLICAS_BEFORE_SLEEP]: recorded };
  return { ...copy, object };
}
