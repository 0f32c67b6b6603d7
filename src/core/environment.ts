// The environment model: what a T-Env environment, its workloads and pods are, derived from the
// Kubernetes objects (structurally typed here, so that core needs no Kubernetes client).
import type { BaselineMark } from './baseline-view.ts';
import type { OverlayView } from './overlay-view.ts';
import type { ScalableKind, WorkloadKind } from './kinds.ts';

import { TEnvError } from './errors.ts';
import { podRequests } from './quantity.ts';
import type { PodRequests, PodSpecLike } from './quantity.ts';
import { ANNOTATION_HOLIDAYS, ANNOTATION_PREWARM_MINUTES } from './schedule-policy.ts';

/** A namespace is an environment iff it carries this label with value "true". */
export const LABEL_ENVIRONMENT = 't-env.dev/environment';
export const LABEL_OWNER = 't-env.dev/owner';
export const ANNOTATION_TIMEZONE = 't-env.dev/timezone';
export const ANNOTATION_AWAKE_HOURS = 't-env.dev/awake-hours';
/** Awake hours of a new environment when none are given (`t env create`, agents, the editor's setting's default). */
export const DEFAULT_AWAKE_HOURS = 'Mon-Fri 08:00-20:00';
/** The API-server username that created the environment (written by T-Env from a SelfSubjectReview). */
export const ANNOTATION_CREATED_BY = 't-env.dev/created-by';
export const ANNOTATION_AWAKE_UNTIL = 't-env.dev/awake-until';
/** On a namespace: a manual sleep ("Sleep now") lasts until this instant (see sleep-plan.ts). */
export const ANNOTATION_ASLEEP_UNTIL = 't-env.dev/asleep-until';
/** `asleep-until` of a manual sleep that only a manual wake ends. */
export const ASLEEP_INDEFINITELY = '9999-12-31T23:59:59.999Z';
/** On a namespace: RFC 3339 instant after which the sleeper deletes the environment (a TTL; see expiry.ts). */
export const ANNOTATION_EXPIRES_AT = 't-env.dev/expires-at';
/** On a namespace: `true` marks a shared baseline environment, never deleted on expiry nor acted on by agents. */
export const LABEL_BASELINE = 't-env.dev/baseline';
/** On a workload: its replica count (or CronJob `suspend` value) before the environment slept. */
export const ANNOTATION_REPLICAS_BEFORE_SLEEP = 't-env.dev/replicas-before-sleep';
/** On a workload: `never` keeps it out of sleep. */
export const ANNOTATION_SLEEP = 't-env.dev/sleep';
/** The sleep ledger of an environment (contract: sleep-ledger.ts). */
export const ANNOTATION_SLEEP_LEDGER = 't-env.dev/sleep-ledger';
/** Labels and annotations `okteto up` leaves (okteto's pkg/model/const.go; the stand-in in test/fixtures/okteto-fake cites each). */
export const LABEL_OKTETO_DEV = 'dev.okteto.com';
export const ANNOTATION_OKTETO_REPLICAS = 'dev.okteto.com/replicas';
export const LABEL_OKTETO_CLONE = 'dev.okteto.com/clone';
export const LABEL_OKTETO_INTERACTIVE = 'interactive.dev.okteto.com';

export interface Meta {
  name?: string | undefined;
  namespace?: string | undefined;
  uid?: string | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  ownerReferences?: readonly { kind: string; name: string; controller?: boolean | undefined }[] | undefined;
  deletionTimestamp?: Date | string | undefined;
  creationTimestamp?: Date | string | undefined;
}

export interface NamespaceLike { metadata?: Meta | undefined; status?: { phase?: string | undefined } | undefined }
export interface ScalableLike {
  metadata?: Meta | undefined;
  spec?: { replicas?: number | undefined; template?: { spec?: PodSpecLike | undefined } | undefined } | undefined;
  status?: { readyReplicas?: number | undefined; replicas?: number | undefined } | undefined;
}
export interface CronJobLike { metadata?: Meta | undefined; spec?: { suspend?: boolean | undefined } | undefined; status?: { active?: readonly unknown[] | undefined } | undefined }
export interface ContainerStatusLike {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: { waiting?: { reason?: string | undefined } | undefined; running?: unknown; terminated?: { reason?: string | undefined; exitCode?: number | undefined } | undefined } | undefined;
}
export interface PodLike {
  metadata?: Meta | undefined;
  spec?: { containers: readonly { name: string }[] } | undefined;
  status?: {
    phase?: string | undefined;
    startTime?: Date | string | undefined;
    containerStatuses?: readonly ContainerStatusLike[] | undefined;
  } | undefined;
}

export type { WorkloadKind };
export type PodState = 'running' | 'pending' | 'crash-loop' | 'not-ready' | 'succeeded' | 'failed' | 'terminating';
export type WorkloadState = 'running' | 'asleep' | 'dev' | 'crash-loop' | 'pending' | 'not-ready' | 'scaled-down' | 'suspended' | 'idle';
export type EnvironmentState = 'awake' | 'asleep' | 'partly-awake' | 'waking' | 'empty' | 'terminating';

/** A recent Warning event about a workload or pod (BackOff, FailedScheduling, Unhealthy…). */
export interface WarningInfo {
  reason: string;
  message: string;
  count: number;
  /** RFC 3339 time it was last seen. */
  lastSeen: string;
  /** The object it is about, e.g. "Pod api-7d9f-x". */
  object: string;
}

export interface EventLike {
  type?: string | undefined;
  reason?: string | undefined;
  message?: string | undefined;
  count?: number | undefined;
  involvedObject: { kind?: string | undefined; name?: string | undefined; namespace?: string | undefined };
  lastTimestamp?: Date | string | null | undefined;
  eventTime?: Date | string | null | undefined;
  series?: { lastObservedTime?: Date | string | null | undefined; count?: number | undefined } | null | undefined;
  metadata?: Meta | undefined;
}

/** Warnings older than this no longer mark the tree. */
export const WARNING_MAX_AGE_MS = 60 * 60 * 1000;

export function warningInfo(event: EventLike): WarningInfo | undefined {
  if (event.type !== 'Warning') return undefined;
  const last = toIso(event.series?.lastObservedTime) ?? toIso(event.lastTimestamp) ?? toIso(event.eventTime) ?? toIso(event.metadata?.creationTimestamp);
  if (!last) return undefined;
  return {
    reason: event.reason ?? 'Warning',
    message: (event.message ?? '').trim(),
    count: event.series?.count ?? event.count ?? 1,
    lastSeen: last,
    object: `${event.involvedObject.kind ?? ''} ${event.involvedObject.name ?? ''}`.trim(),
  };
}

/** Recent warnings, newest first. */
export function recentWarnings<T extends WarningInfo>(warnings: readonly T[], now: Date): T[] {
  return warnings.filter((w) => now.getTime() - Date.parse(w.lastSeen) <= WARNING_MAX_AGE_MS)
    .sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
}

export interface PodInfo {
  name: string;
  phase: string;
  state: PodState;
  ready: boolean;
  restarts: number;
  containers: string[];
  startedAt: string | undefined;
  /** The waiting reason of a container that is not running (e.g. CrashLoopBackOff). */
  reason: string | undefined;
  /** Pod of the `<name>-okteto` dev copy. */
  dev: boolean;
  /** Warning events about this pod (all ages; filter with recentWarnings). */
  warnings: WarningInfo[];
}

export interface WorkloadInfo {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** Desired replicas (CronJob: 0). */
  replicas: number;
  readyReplicas: number;
  suspended: boolean;
  /** Has the sleep annotation: scaled down (or suspended) by T-Env's sleep. */
  asleep: boolean;
  /** The count (or `suspend` value) recorded before sleep, when asleep. */
  replicasBeforeSleep: string | undefined;
  /** In Okteto dev mode (`okteto up` running against it). */
  devMode: boolean;
  /** Excluded from sleep: annotated `t-env.dev/sleep=never` or owned by another controller. */
  sleepExempt: boolean;
  /** CPU and memory requests per replica (Deployments and StatefulSets; quantity.ts). */
  requests?: PodRequests | undefined;
  state: WorkloadState;
  pods: PodInfo[];
  /** Warning events about the workload itself, its ReplicaSets/Jobs and its pods. */
  warnings: WarningInfo[];
  /** Its standing against the environment's baseline, when copied from one (set by the live store). */
  baseline?: BaselineMark | undefined;
  /** Its labels (okteto's `selector` picks a dev target by them). */
  labels: Readonly<Record<string, string>>;
}

export interface EnvironmentInfo {
  name: string;
  owner: string;
  timezone: string | undefined;
  awakeHours: string | undefined;
  awakeUntil: string | undefined;
  asleepUntil: string | undefined;
  /** `t-env.dev/expires-at` as written (validated where it is used: see expiry.ts). */
  expiresAt: string | undefined;
  state: EnvironmentState;
  workloads: WorkloadInfo[];
  /** The API-server identity that created it (ANNOTATION_CREATED_BY), when recorded. */
  createdBy?: string | undefined;
  /** The baseline it was created from (`t-env.dev/baseline`; set by the live store). */
  baseline?: string | undefined;
  /** Labelled a baseline itself (`t-env.dev/baseline=true`): `auto` awake hours are then its rule (baseline-sleep.ts). */
  isBaseline?: boolean | undefined;
  /** When it is an overlay of that baseline: what it runs and routes (set by the live store). */
  overlay?: OverlayView | undefined;
  /** `t-env.dev/prewarm-minutes` and `t-env.dev/holidays` as written (schedule-policy.ts). */
  prewarmMinutes?: string | undefined;
  holidays?: string | undefined;
  /** `t-env.dev/sleep-ledger` as written (sleep-ledger.ts). */
  sleepLedger?: string | undefined;
}

/**
 * Whether an environment is verifiably the user's: created by their API-server identity
 * (`username`, from a SelfSubjectReview). The owner label alone is not proof: anyone who may
 * create namespaces can write any owner (deploy/environments makes both immutable).
 */
export function isVerifiablyMine(env: Pick<EnvironmentInfo, 'createdBy'>, username: string): boolean {
  return env.createdBy !== undefined && env.createdBy === username;
}

export function isEnvironmentNamespace(ns: NamespaceLike): boolean {
  return ns.metadata?.labels?.[LABEL_ENVIRONMENT] === 'true';
}

/** The namespace deploy/sleeper installs the sleeper into. */
export const SLEEPER_NAMESPACE = 't-env-system';

/**
 * Namespaces T-Env never sleeps, wakes or deletes, whatever their labels: the cluster's own
 * (`kube-*`, `default`) and the sleeper's (`t-env-system`, or `own` when it runs elsewhere).
 * A label anyone with namespace rights can set must not let them scale coredns to 0.
 */
export function isProtectedNamespace(name: string, own?: string): boolean {
  return name === 'default' || name.startsWith('kube-') || name === SLEEPER_NAMESPACE || (own !== undefined && name === own);
}

/** Why T-Env refuses to manage this namespace (not an environment, or protected), or undefined. */
export function environmentRefusal(ns: NamespaceLike, own?: string): TEnvError | undefined {
  const name = ns.metadata?.name ?? '';
  if (isProtectedNamespace(name, own)) {
    return new TEnvError('protected-namespace', `The namespace "${name}" belongs to the cluster or to T-Env's sleeper; T-Env never sleeps, wakes or deletes it, whatever its labels.`, {
      hint: isEnvironmentNamespace(ns) ? `Remove the label ${LABEL_ENVIRONMENT} from it.` : 'Name one of your environments ("t env ls").',
    });
  }
  if (!isEnvironmentNamespace(ns)) {
    return new TEnvError('not-environment', `The namespace "${name}" is not a T-Env environment (it lacks the label ${LABEL_ENVIRONMENT}=true); T-Env leaves it alone.`, {
      hint: 'Only environments created by T-Env (or labelled as such) can be managed here.',
    });
  }
  return undefined;
}

function toIso(value: Date | string | null | undefined): string | undefined {
  // The API sends null for unset times (e.g. eventTime of core/v1 events).
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : value.toISOString();
}

export function podInfo(pod: PodLike): PodInfo {
  const statuses = pod.status?.containerStatuses ?? [];
  const phase = pod.status?.phase ?? 'Unknown';
  const restarts = statuses.reduce((sum, c) => sum + c.restartCount, 0);
  const waiting = statuses.map((c) => c.state?.waiting?.reason).find((r) => r !== undefined);
  const ready = statuses.length > 0 && statuses.every((c) => c.ready);
  let state: PodState;
  if (pod.metadata?.deletionTimestamp) state = 'terminating';
  else if (waiting === 'CrashLoopBackOff' || waiting === 'Error' || waiting === 'ImagePullBackOff' || waiting === 'ErrImagePull') state = 'crash-loop';
  else if (phase === 'Succeeded') state = 'succeeded';
  else if (phase === 'Failed') state = 'failed';
  else if (phase === 'Running') state = ready ? 'running' : 'not-ready';
  else state = 'pending';
  return {
    name: pod.metadata?.name ?? '',
    phase, state, ready, restarts,
    containers: (pod.spec?.containers ?? []).map((c) => c.name),
    startedAt: toIso(pod.status?.startTime),
    reason: waiting,
    dev: pod.metadata?.labels?.[LABEL_OKTETO_INTERACTIVE] !== undefined,
    warnings: [],
  };
}

/**
 * The workload a pod belongs to, by its controller owner reference: StatefulSet directly,
 * Deployment through its ReplicaSet (`<deployment>-<pod-template-hash>`), CronJob through its
 * Job (`<cronjob>-<scheduled time>`).
 */
export function podOwner(pod: PodLike): { kind: WorkloadKind; name: string } | undefined {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (!owner) return undefined;
  if (owner.kind === 'StatefulSet') return { kind: 'StatefulSet', name: owner.name };
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
    return undefined;
  }
  if (owner.kind === 'Job') {
    const match = /^(.*)-\d+$/.exec(owner.name);
    return match?.[1] ? { kind: 'CronJob', name: match[1] } : undefined;
  }
  return undefined;
}

function ownedByOtherController(meta: Meta | undefined): boolean {
  return (meta?.ownerReferences ?? []).some((o) => o.controller);
}

function workloadState(w: Omit<WorkloadInfo, 'state'>): WorkloadState {
  if (w.devMode) return 'dev';
  if (w.pods.some((p) => p.state === 'crash-loop')) return 'crash-loop';
  if (w.kind === 'CronJob') {
    if (w.asleep) return 'asleep';
    return w.suspended ? 'suspended' : 'idle';
  }
  if (w.asleep && w.replicas === 0) return 'asleep';
  if (w.replicas === 0) return 'scaled-down';
  if (w.readyReplicas >= w.replicas) return 'running';
  if (w.pods.some((p) => p.state === 'not-ready')) return 'not-ready';
  return 'pending';
}

export function scalableInfo(kind: ScalableKind, obj: ScalableLike, pods: readonly PodInfo[], warnings: readonly WarningInfo[] = []): WorkloadInfo {
  const annotations = obj.metadata?.annotations ?? {};
  const before = annotations[ANNOTATION_REPLICAS_BEFORE_SLEEP];
  const base = {
    kind,
    name: obj.metadata?.name ?? '',
    namespace: obj.metadata?.namespace ?? '',
    replicas: obj.spec?.replicas ?? 1,
    readyReplicas: obj.status?.readyReplicas ?? 0,
    suspended: false,
    asleep: before !== undefined,
    replicasBeforeSleep: before,
    devMode: obj.metadata?.labels?.[LABEL_OKTETO_DEV] === 'true',
    sleepExempt: annotations[ANNOTATION_SLEEP] === 'never' || ownedByOtherController(obj.metadata),
    requests: podRequests(obj.spec?.template?.spec),
    labels: obj.metadata?.labels ?? {},
    pods: [...pods],
    warnings: [...warnings, ...pods.flatMap((p) => p.warnings)],
  };
  return { ...base, state: workloadState(base) };
}

export function cronJobInfo(obj: CronJobLike, pods: readonly PodInfo[], warnings: readonly WarningInfo[] = []): WorkloadInfo {
  const annotations = obj.metadata?.annotations ?? {};
  const before = annotations[ANNOTATION_REPLICAS_BEFORE_SLEEP];
  const base = {
    kind: 'CronJob' as const,
    name: obj.metadata?.name ?? '',
    namespace: obj.metadata?.namespace ?? '',
    replicas: 0,
    readyReplicas: 0,
    suspended: obj.spec?.suspend === true,
    asleep: before !== undefined,
    replicasBeforeSleep: before,
    devMode: false,
    sleepExempt: annotations[ANNOTATION_SLEEP] === 'never' || ownedByOtherController(obj.metadata),
    labels: obj.metadata?.labels ?? {},
    pods: [...pods],
    warnings: [...warnings, ...pods.flatMap((p) => p.warnings)],
  };
  return { ...base, state: workloadState(base) };
}

/** The environment's overall state from its workloads. */
export function environmentState(ns: NamespaceLike, workloads: readonly WorkloadInfo[]): EnvironmentState {
  if (ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return 'terminating';
  const sleepable = workloads.filter((w) => !w.sleepExempt);
  if (sleepable.length === 0) return workloads.length === 0 ? 'empty' : 'awake';
  const asleep = sleepable.filter((w) => w.asleep).length;
  if (asleep === sleepable.length) return 'asleep';
  if (asleep > 0) return 'partly-awake';
  if (sleepable.some((w) => w.kind !== 'CronJob' && w.state === 'pending')) return 'waking';
  return 'awake';
}

export function environmentInfo(ns: NamespaceLike, workloads: readonly WorkloadInfo[]): EnvironmentInfo {
  const meta = ns.metadata ?? {};
  return {
    name: meta.name ?? '',
    owner: meta.labels?.[LABEL_OWNER] ?? '',
    timezone: meta.annotations?.[ANNOTATION_TIMEZONE],
    awakeHours: meta.annotations?.[ANNOTATION_AWAKE_HOURS],
    awakeUntil: meta.annotations?.[ANNOTATION_AWAKE_UNTIL],
    asleepUntil: meta.annotations?.[ANNOTATION_ASLEEP_UNTIL],
    expiresAt: meta.annotations?.[ANNOTATION_EXPIRES_AT],
    createdBy: meta.annotations?.[ANNOTATION_CREATED_BY],
    prewarmMinutes: meta.annotations?.[ANNOTATION_PREWARM_MINUTES],
    holidays: meta.annotations?.[ANNOTATION_HOLIDAYS],
    sleepLedger: meta.annotations?.[ANNOTATION_SLEEP_LEDGER],
    ...(meta.labels?.[LABEL_BASELINE] === 'true' ? { isBaseline: true } : {}),
    state: environmentState(ns, workloads),
    workloads: [...workloads].sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind)),
  };
}

/**
 * The schedule and marker annotations an EnvironmentInfo was read from (the inverse of
 * `environmentInfo`), for the one verdict in environment-verdict.ts.
 */
export function scheduleAnnotations(env: Pick<EnvironmentInfo, 'timezone' | 'awakeHours' | 'awakeUntil' | 'asleepUntil' | 'prewarmMinutes' | 'holidays'>): Record<string, string> {
  const entries: [string, string | undefined][] = [
    [ANNOTATION_TIMEZONE, env.timezone], [ANNOTATION_AWAKE_HOURS, env.awakeHours],
    [ANNOTATION_AWAKE_UNTIL, env.awakeUntil], [ANNOTATION_ASLEEP_UNTIL, env.asleepUntil],
    [ANNOTATION_PREWARM_MINUTES, env.prewarmMinutes], [ANNOTATION_HOLIDAYS, env.holidays],
  ];
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks an environment (namespace) name; returns an error message or undefined. */
export function checkEnvironmentName(name: string): string | undefined {
  if (name.length === 0) return 'The environment name is empty.';
  if (name.length > 63) return `The environment name "${name}" is longer than 63 characters.`;
  if (!DNS1123_LABEL.test(name)) {
    return `The environment name "${name}" is not a valid DNS-1123 label: use lowercase letters, digits and "-", starting and ending with a letter or digit.`;
  }
  return undefined;
}

/**
 * The developer's owner label, from the first name that is set: the editor's `tenv.user` setting,
 * `$T_ENV_USER`, the OS user name.
 */
export function developerOwner(setting: string | undefined, envUser: string | undefined, osUser: string): string {
  return ownerLabel(setting || envUser || osUser);
}

/** Environments for lists and pickers: `me`'s first, then by name. */
export function mineFirst<T extends Pick<EnvironmentInfo, 'name' | 'owner'>>(envs: readonly T[], me: string): T[] {
  return [...envs].sort((a, b) => Number(b.owner === me) - Number(a.owner === me) || a.name.localeCompare(b.name));
}

/** The DNS-label-safe form of a developer's name, for the owner label ("Jane Doe" → "jane-doe"). */
export function ownerLabel(user: string): string {
  const safe = user.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 63).replace(/-$/, '');
  return safe || 'unknown';
}
