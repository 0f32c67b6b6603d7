// Sleep and wake of one environment: every Deployment and StatefulSet to 0 replicas and every
// CronJob suspended, and back, with one atomic merge patch per workload (the contract and the
// decisions live in core/sleep-plan.ts). Also the request plumbing the sleeper shares: request
// counting, fault hooks, cancellation and 409 retries on a fresh read.
//
// Order of writes, so that a process killed between any two requests loses nothing and the next
// run (or the sleeper) finishes the job: first the namespace marker (`asleep-until` for a sleep,
// `awake-until` for a wake), which tells the sleeper what the environment should be, with the
// sleep ledger's record of the transition in the same patch (core/sleep-ledger.ts), then the
// workloads in parallel, each in a single patch that carries both the count and its record.
import * as k8s from '@kubernetes/client-node';
import { ANNOTATION_AWAKE_UNTIL } from '../core/environment.ts';
import { KINDS, SCALABLE_KINDS, WORKLOAD_KINDS } from '../core/kinds.ts';
import type { ScalableKind, WorkloadKind } from '../core/kinds.ts';
import { CancelledError, InvalidInputError, isTEnvError, TEnvError } from '../core/errors.ts';
import { sanitizeText } from '../core/sanitize.ts';
import { planScaledObject } from '../core/keda.ts';
import type { ScaledObjectLike } from '../core/keda.ts';
import { ANNOTATION_SLEEP_LEDGER, ledgerUpdate, transitionMessage } from '../core/sleep-ledger.ts';
import type { LedgerCause, TransitionActor } from '../core/sleep-ledger.ts';
import { ANNOTATION_ASLEEP_UNTIL, manualSleepUntil, manualWakeUntil, planWorkload, workloadLabel } from '../core/sleep-plan.ts';
import type { SleepableObject, SleepMode, SleepTarget, WorkloadPatch, WorkloadPlan } from '../core/sleep-plan.ts';
import { readEnvironmentNamespace } from './environments.ts';
import { FIELD_MANAGER, kindClients } from './kinds.ts';
import type { KindClients } from './kinds.ts';
import { isApiStatus, ResilientInformer, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';

// ---- requests --------------------------------------------------------------------------------

/** One API request, as the fault hooks see it. */
export interface ApiRequest {
  readonly verb: 'get' | 'list' | 'patch' | 'create' | 'apply' | 'delete';
  /** Plural resource, e.g. `deployments`. */
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

/**
 * Seams around every API request: fault injection in tests, and the sleeper's patch counter
 * (sleeper-metrics.ts). A hook that throws stands for the process dying at that point: no further
 * request is started, and the error comes out of the operation.
 */
export interface RequestHooks {
  beforeRequest?: ((request: ApiRequest) => void | Promise<void>) | undefined;
  afterRequest?: ((request: ApiRequest) => void | Promise<void>) | undefined;
}

/** Counts the HTTP requests sent through it, retries included. */
export class RequestCounter {
  count = 0;
}

export interface ApiOptions {
  /** Cancels the operation: no new request starts and requests in flight are aborted. */
  signal?: AbortSignal | undefined;
  hooks?: RequestHooks | undefined;
  /** Pass one in to total the requests of several operations. */
  counter?: RequestCounter | undefined;
}

const DEFAULT_CONCURRENCY = 32;
const CONFLICT_RETRIES = 5;
const SCALED_OBJECTS = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' };

/** The API calls of sleep, wake and the sleeper, each counted, hooked and cancellable. */
export class SleepApi {
  readonly session: KubeSession;
  readonly counter: RequestCounter;
  private readonly options: ApiOptions;
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly kinds: KindClients;
  private readonly middleware: k8s.ObservableMiddleware;

  constructor(session: KubeSession, options: ApiOptions = {}) {
    this.session = session;
    this.options = options;
    this.counter = options.counter ?? new RequestCounter();
    const kc = session.kc;
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.kinds = kindClients(kc);
    const counter = this.counter;
    const signal = options.signal;
    // The session's kubeconfig shares one keep-alive connection pool (see loadKubeConfig).
    this.middleware = {
      pre: (context) => {
        counter.count++;
        if (signal) context.setSignal(signal);
        return new k8s.Observable(Promise.resolve(context));
      },
      post: (response) => new k8s.Observable(Promise.resolve(response)),
    };
  }

  private config(patch: boolean): k8s.ConfigurationOptions {
    const base: k8s.ConfigurationOptions = { middleware: [this.middleware], middlewareMergeStrategy: 'append' };
    return patch ? k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch, base) : base;
  }

  /** Runs one request through the hooks; cancellation becomes `CancelledError`. */
  async call<T>(request: ApiRequest, send: (config: k8s.ConfigurationOptions) => Promise<T>): Promise<T> {
    const signal = this.options.signal;
    if (signal?.aborted) throw new CancelledError();
    await this.options.hooks?.beforeRequest?.(request);
    let result: T;
    try {
      result = await send(this.config(request.verb === 'patch'));
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw error;
    }
    await this.options.hooks?.afterRequest?.(request);
    return result;
  }

  resourceOf(kind: WorkloadKind): string {
    return KINDS[kind].plural;
  }

  /** readEnvironmentNamespace through this API's request. */
  readEnvironment(name: string): Promise<k8s.V1Namespace> {
    return readEnvironmentNamespace(this.session, name, () => this.call({ verb: 'get', resource: 'namespaces', namespace: undefined, name }, (c) => this.core.readNamespace({ name }, c)));
  }

  listNamespaces(labelSelector: string): Promise<k8s.V1Namespace[]> {
    return this.call({ verb: 'list', resource: 'namespaces', namespace: undefined, name: undefined },
      async (c) => (await this.core.listNamespace({ labelSelector }, c)).items);
  }

  /**
   * One namespace, read with a list (`metadata.name` field selector): the sleeper's rights have
   * `list` on namespaces but not `get`. undefined when it no longer exists.
   */
  async readNamespaceByList(name: string): Promise<k8s.V1Namespace | undefined> {
    const items = await this.call({ verb: 'list', resource: 'namespaces', namespace: undefined, name },
      async (c) => (await this.core.listNamespace({ fieldSelector: `metadata.name=${name}` }, c)).items);
    return items[0];
  }

  /** Merge-patches namespace annotations (`null` removes one); with `resourceVersion`, a stale read gets a 409. */
  patchNamespace(name: string, annotations: Record<string, string | null>, resourceVersion?: string): Promise<unknown> {
    const body = { metadata: { ...(resourceVersion === undefined ? {} : { resourceVersion }), annotations } };
    return this.call({ verb: 'patch', resource: 'namespaces', namespace: undefined, name },
      (c) => this.core.patchNamespace({ name, body, fieldManager: FIELD_MANAGER }, c));
  }

  listWorkloads(kind: WorkloadKind, namespace: string | undefined): Promise<SleepableObject[]> {
    const api = this.kinds[kind];
    return this.call({ verb: 'list', resource: api.info.plural, namespace, name: undefined }, async (c) => (await api.list(namespace, {}, c)).items);
  }

  readWorkload(kind: WorkloadKind, namespace: string, name: string): Promise<SleepableObject> {
    const api = this.kinds[kind];
    return this.call({ verb: 'get', resource: api.info.plural, namespace, name }, (c) => api.read(namespace, name, c));
  }

  patchWorkload(kind: WorkloadKind, namespace: string, name: string, patch: WorkloadPatch): Promise<unknown> {
    const api = this.kinds[kind];
    return this.call({ verb: 'patch', resource: api.info.plural, namespace, name }, (c) => api.patch(namespace, name, patch, c));
  }

  /** An Event on a namespace (shown by `kubectl get events -n <env>`): Warning unless `type` says Normal. */
  createNamespaceEvent(namespace: string, reason: string, message: string, now: Date, type: 'Warning' | 'Normal' = 'Warning'): Promise<unknown> {
    const body: k8s.CoreV1Event = {
      metadata: { generateName: 't-env-sleeper-', namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: namespace, namespace },
      reason, message: sanitizeText(message).slice(0, 1024), type,
      source: { component: 't-env-sleeper' }, reportingComponent: 't-env.dev/sleeper', reportingInstance: 't-env-sleeper',
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    return this.call({ verb: 'create', resource: 'events', namespace, name: undefined }, (c) => this.core.createNamespacedEvent({ namespace, body }, c));
  }

  /** The KEDA ScaledObjects of a namespace (or all); none where KEDA is not installed (404). */
  async listScaledObjects(namespace: string | undefined): Promise<ScaledObjectLike[]> {
    try {
      return await this.call({ verb: 'list', resource: 'scaledobjects', namespace, name: undefined }, async (c) => {
        const list: unknown = namespace === undefined
          ? await this.custom.listClusterCustomObject(SCALED_OBJECTS, c)
          : await this.custom.listNamespacedCustomObject({ ...SCALED_OBJECTS, namespace }, c);
        return (list as { items?: ScaledObjectLike[] }).items ?? [];
      });
    } catch (error) {
      if (isApiStatus(error, 404)) return [];
      throw error;
    }
  }

  patchScaledObject(namespace: string, name: string, body: object): Promise<unknown> {
    return this.call({ verb: 'patch', resource: 'scaledobjects', namespace, name }, (c) => this.custom.patchNamespacedCustomObject({ ...SCALED_OBJECTS, namespace, name, body, fieldManager: FIELD_MANAGER }, c));
  }

  /** A ConfigMap's data (the company holidays of `t sleeper --holidays-configmap`). */
  async readConfigMapData(namespace: string, name: string): Promise<Record<string, string>> {
    const cm = await this.call({ verb: 'get', resource: 'configmaps', namespace, name }, (c) => this.core.readNamespacedConfigMap({ namespace, name }, c));
    return cm.data ?? {};
  }

  /** The caller's username (SelfSubjectReview, allowed to every authenticated user). */
  async whoAmI(): Promise<string> {
    const auth = this.session.kc.makeApiClient(k8s.AuthenticationV1Api);
    const review = await this.call({ verb: 'create', resource: 'selfsubjectreviews', namespace: undefined, name: undefined }, (c) => auth.createSelfSubjectReview({ body: {} }, c));
    return review.status?.userInfo?.username ?? '';
  }
}

/**
 * Records a transition as a Normal Event on the namespace ("Woken by alice from VS Code"). The
 * Event only tells people what happened (the ledger is the record), so a refusal (no `create
 * events` right) or a failure is not the transition's problem; cancellation still stops it.
 */
export async function transitionEvent(api: SleepApi, namespace: string, state: SleepTarget, cause: LedgerCause, actor: TransitionActor | undefined, now: Date): Promise<void> {
  try {
    const user = actor !== undefined && actor.user === undefined ? (await api.whoAmI()) || undefined : actor?.user;
    const message = transitionMessage(state, cause, actor === undefined ? undefined : { ...actor, user });
    await api.createNamespaceEvent(namespace, state === 'asleep' ? 'Slept' : 'Woken', message, now, 'Normal');
  } catch (error) {
    if (!isApiError(error)) throw error;
  }
}

// ---- converging one workload -----------------------------------------------------------------

/** The API server answered with an error status (as opposed to a network failure or an abort). */
export function isApiError(error: unknown): error is k8s.ApiException<unknown> {
  return error instanceof k8s.ApiException;
}

export interface WorkloadOutcome {
  readonly label: string;
  readonly status: 'changed' | 'unchanged' | 'skipped' | 'problem';
  /** The change made, why it was skipped, or the problem. */
  readonly detail: string | undefined;
}

/** The outcome of a plan that needs no request. */
export function settledOutcome(label: string, plan: Exclude<WorkloadPlan, { type: 'patch' }>): WorkloadOutcome {
  switch (plan.type) {
    case 'unchanged': return { label, status: 'unchanged', detail: undefined };
    case 'skip': return { label, status: 'skipped', detail: plan.reason };
    case 'problem': return { label, status: 'problem', detail: plan.problem };
  }
}

/**
 * Takes one workload to `target`: plans a patch from what we read, sends it with the read's
 * resourceVersion, and on a 409 reads the workload again and plans anew, so a concurrent change
 * (a person, another wake or sleep) is never overwritten with stale data. API refusals (403, 422,
 * …) become a `problem` outcome; anything else (network, cancellation, a hook) is thrown.
 */
export async function convergeWorkload(api: SleepApi, kind: WorkloadKind, namespace: string, initial: SleepableObject, target: SleepTarget, mode: SleepMode): Promise<WorkloadOutcome> {
  let obj = initial;
  const name = obj.metadata?.name ?? '';
  const label = workloadLabel(kind, obj);
  const refused = (error: unknown, verb: string): WorkloadOutcome => {
    if (!isApiError(error)) throw error;
    const typed = toTEnvError(error, api.session, `${verb} ${api.resourceOf(kind)} in namespace ${namespace}`, label);
    return { label, status: 'problem', detail: `${label}: ${typed.message}` };
  };
  for (let attempt = 0; ; attempt++) {
    const plan = planWorkload(kind, obj, target, mode);
    if (plan.type !== 'patch') return settledOutcome(label, plan);
    try {
      await api.patchWorkload(kind, namespace, name, plan.patch);
      return { label, status: 'changed', detail: plan.summary };
    } catch (error) {
      if (isApiStatus(error, 404)) return { label, status: 'unchanged', detail: 'deleted meanwhile' };
      if (!isApiStatus(error, 409) || attempt >= CONFLICT_RETRIES) return refused(error, 'patch');
    }
    try {
      obj = await api.readWorkload(kind, namespace, name);
    } catch (error) {
      if (isApiStatus(error, 404)) return { label, status: 'unchanged', detail: 'deleted meanwhile' };
      return refused(error, 'get');
    }
  }
}

/** `Kind/name` of every workload that sleep puts (or keeps) to sleep: the targets whose ScaledObjects are paused. */
export function sleepingWorkloads(workloads: readonly { kind: WorkloadKind; obj: SleepableObject }[], mode: SleepMode): Set<string> {
  return new Set(workloads.flatMap(({ kind, obj }) => {
    const plan = planWorkload(kind, obj, 'asleep', mode);
    return plan.type === 'patch' || plan.type === 'unchanged' ? [workloadLabel(kind, obj)] : [];
  }));
}

/**
 * Pauses (asleep) or un-pauses (awake) the KEDA ScaledObjects of an environment (core/keda.ts);
 * before the workloads change. A 409 or 404 leaves the object to the next run; a refusal is a problem.
 */
export async function pauseScaledObjects(api: SleepApi, namespace: string, objects: readonly ScaledObjectLike[], target: SleepTarget, sleeping: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  await runLimited(objects, DEFAULT_CONCURRENCY, async (obj) => {
    const patch = planScaledObject(obj, target, sleeping);
    const name = obj.metadata?.name ?? '';
    if (patch === undefined) return;
    try {
      await api.patchScaledObject(namespace, name, patch);
    } catch (error) {
      if (!isApiError(error)) throw error;
      if (isApiStatus(error, 409) || isApiStatus(error, 404)) return; // changed or gone meanwhile: the next run looks again
      problems.push(`ScaledObject/${name}: ${toTEnvError(error, api.session, `patch scaledobjects in namespace ${namespace}`).message}`);
    }
  });
  return problems;
}

/**
 * Runs `work` over `items`, at most `limit` at a time. On the first thrown error no new item is
 * started; the ones in flight finish, then the error is rethrown.
 */
export async function runLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}

// ---- sleep and wake --------------------------------------------------------------------------

export interface TransitionOptions extends ApiOptions {
  /** The instant the markers are computed from; now by default. */
  now?: Date | undefined;
  onProgress?: ((text: string) => void) | undefined;
  /** Workload patches in flight at once (default 32). */
  concurrency?: number | undefined;
  /** Who asks, for the Event ("Woken by alice from VS Code"); the user is looked up when not given. */
  actor?: TransitionActor | undefined;
}

export interface TransitionResult {
  /** Workloads patched. */
  changed: number;
  /** Workloads left alone on purpose (`sleep=never`, controller-owned, woken by hand), with why. */
  skipped: string[];
  /** What could not be done (corrupt annotations, refusals), one line each. */
  problems: string[];
  /** API requests made. */
  requests: number;
}

export interface SleepResult extends TransitionResult {
  /** The `t-env.dev/asleep-until` written: the next scheduled wake, or `ASLEEP_INDEFINITELY`. */
  asleepUntil: string;
}

export interface WakeOptions extends TransitionOptions {
  /** Awake for exactly this long; else until the next scheduled sleep, at least `minimumHours`. */
  forMs?: number | undefined;
  minimumHours: number;
  /** `dev` when Start Dev wakes the environment; `manual` (Wake, Keep Awake) by default. */
  cause?: 'manual' | 'dev' | undefined;
}

export interface WakeResult extends TransitionResult {
  /** The `t-env.dev/awake-until` written (ISO instant). */
  awakeUntil: string;
}

/**
 * The error to report when one of parallel requests failed: a rejected or insufficient identity
 * (401, 403) seen by another of them wins over "unreachable", because with a rejected token the
 * API server may answer one request 401 and close the connection under the others (HTTP/2
 * GOAWAY); every command then says 401 alike.
 */
async function authFailureAmong(error: unknown, others: Promise<unknown>): Promise<unknown> {
  if (!(isTEnvError(error) && error.kind === 'unreachable')) return error;
  const other = await others.then(() => undefined, (e: unknown) => e);
  return isTEnvError(other) && (other.kind === 'unauthorized' || other.kind === 'forbidden') ? other : error;
}

async function transition(
  session: KubeSession, name: string, target: SleepTarget, cause: LedgerCause, options: TransitionOptions,
  marker: (ns: k8s.V1Namespace) => { annotations: Record<string, string | null>; problem: string | undefined },
): Promise<TransitionResult> {
  const now = options.now ?? new Date();
  const api = new SleepApi(session, options);
  const start = api.counter.count;
  const verb = target === 'asleep' ? 'Putting' : 'Waking';
  const suffix = target === 'asleep' ? ' to sleep' : '';
  options.onProgress?.(`${verb} ${name}${suffix}…`);
  // The lists only read, so they go out with the check that this is an environment; that check's
  // error (not an environment, not found) wins over theirs.
  const listing = WORKLOAD_KINDS.map(async (kind) => {
    try {
      return (await api.listWorkloads(kind, name)).map((obj) => ({ kind, obj }));
    } catch (error) {
      throw toTEnvError(error, session, `list ${api.resourceOf(kind)} in namespace ${name}`);
    }
  });
  const lists = Promise.all(listing);
  lists.catch(() => undefined); // awaited below unless the check fails first
  const scaledObjects = api.listScaledObjects(name).then((items) => ({ items, problem: undefined as string | undefined }), (error: unknown) => {
    // Someone who may not see ScaledObjects cannot pause them: the sleeper, which may, pauses
    // them at its next pass.
    if (isApiStatus(error, 403)) return { items: [], problem: undefined };
    if (!isApiError(error)) throw error;
    return { items: [], problem: `KEDA ScaledObjects left alone: ${toTEnvError(error, session, `list scaledobjects in namespace ${name}`).message}` };
  });
  scaledObjects.catch(() => undefined); // awaited below
  let ns: k8s.V1Namespace;
  try {
    ns = await api.readEnvironment(name);
  } catch (error) {
    const reported = await authFailureAmong(error, lists);
    if (reported !== error || !(isTEnvError(error) && error.kind === 'unreachable')) throw reported;
    // Alone on a fresh connection the read gets the server's own answer (a 401 after a GOAWAY).
    ns = await api.readEnvironment(name);
  }
  const workloads = (await lists).flat();
  // The marker and the ledger go in one patch, based on the namespace as read (a 409 reads it
  // again), so the ledger never records a transition whose marker was not written, or twice.
  let written: { problem: string | undefined; ledgerProblem: string | undefined; event: boolean };
  for (let attempt = 0; ; attempt++) {
    const { annotations, problem } = marker(ns);
    const ledger = ledgerUpdate(ns.metadata?.annotations, { state: target, cause, at: now });
    const patch = ledger.value === undefined ? annotations : { ...annotations, [ANNOTATION_SLEEP_LEDGER]: ledger.value };
    try {
      await api.patchNamespace(name, patch, ns.metadata?.resourceVersion);
      written = { problem, ledgerProblem: ledger.problem, event: ledger.value !== undefined && ledger.previous !== target };
      break;
    } catch (error) {
      if (!isApiStatus(error, 409) || attempt >= CONFLICT_RETRIES) throw toTEnvError(error, session, `patch namespace ${name}`);
    }
    ns = await api.readEnvironment(name);
  }
  const event = written.event ? transitionEvent(api, name, target, cause, options.actor, now) : Promise.resolve();
  event.catch(() => undefined); // awaited after the workloads
  const keda = await scaledObjects.catch((error: unknown) => { throw toTEnvError(error, session, `list scaledobjects in namespace ${name}`); });
  const kedaProblems = [...(keda.problem ? [keda.problem] : []), ...await pauseScaledObjects(api, name, keda.items, target, sleepingWorkloads(workloads, 'manual'))
    .catch((error: unknown) => { throw toTEnvError(error, session, `patch scaledobjects in namespace ${name}`); })];
  let done = 0;
  const outcomes = await runLimited(workloads, options.concurrency ?? DEFAULT_CONCURRENCY, async ({ kind, obj }) => {
    const outcome = await convergeWorkload(api, kind, name, obj, target, 'manual');
    done++;
    options.onProgress?.(`${verb} ${name}${suffix}: ${done}/${workloads.length} workloads`);
    return outcome;
  }).then(async (results) => { await event; return results; })
    .catch((error: unknown) => { throw toTEnvError(error, session, `patch workloads in namespace ${name}`); });
  const problem = [written.problem, written.ledgerProblem].filter((p) => p !== undefined).join(' ') || undefined;
  return {
    changed: outcomes.filter((o) => o.status === 'changed').length,
    skipped: outcomes.flatMap((o) => (o.status === 'skipped' && o.detail ? [o.detail] : [])),
    problems: [...(problem ? [problem] : []), ...kedaProblems, ...outcomes.flatMap((o) => (o.status === 'problem' && o.detail ? [o.detail] : []))],
    requests: api.counter.count - start,
  };
}

/**
 * Puts an environment to sleep now ("Sleep now"): marks it `asleep-until` the next scheduled wake
 * (so the sleeper does not wake it right back), then scales every workload down, recording each
 * count in the same patch. Idempotent; re-running finishes an interrupted sleep. Workload-level
 * failures come back in `problems`; failures before any workload was touched are thrown.
 */
export async function sleepEnvironment(session: KubeSession, name: string, options: TransitionOptions = {}): Promise<SleepResult> {
  const now = options.now ?? new Date();
  let asleepUntil = '';
  const result = await transition(session, name, 'asleep', 'manual', options, (ns) => {
    const { until, problem } = manualSleepUntil(ns.metadata?.annotations, now);
    asleepUntil = until;
    return {
      annotations: { [ANNOTATION_ASLEEP_UNTIL]: until, [ANNOTATION_AWAKE_UNTIL]: null },
      problem: problem === undefined ? undefined : `The schedule cannot be read (${problem}); the environment stays asleep until someone wakes it.`,
    };
  });
  return { ...result, asleepUntil };
}

/**
 * Wakes an environment now: marks it `awake-until` (the next scheduled sleep but at least
 * `minimumHours` from now, or exactly `forMs`), then restores every recorded count in parallel.
 * A workload someone changed while it slept keeps that change. Idempotent, like sleep.
 */
export async function wakeEnvironment(session: KubeSession, name: string, options: WakeOptions): Promise<WakeResult> {
  const now = options.now ?? new Date();
  // Validate before any request: bad input changes nothing.
  manualWakeUntil(undefined, now, options.minimumHours, options.forMs);
  let awakeUntil = '';
  const result = await transition(session, name, 'awake', options.cause ?? 'manual', options, (ns) => {
    const { until, problem } = manualWakeUntil(ns.metadata?.annotations, now, options.minimumHours, options.forMs);
    awakeUntil = until;
    return {
      annotations: { [ANNOTATION_AWAKE_UNTIL]: until, [ANNOTATION_ASLEEP_UNTIL]: null },
      problem: problem === undefined ? undefined : `The schedule cannot be read (${problem}); awake for ${options.minimumHours} h.`,
    };
  });
  return { ...result, awakeUntil };
}

/**
 * Keeps an environment awake until `until` ("Keep awake for 1 h / 4 h / until tomorrow"): sets
 * `awake-until` and ends any manual sleep. It does not scale anything itself: an environment that
 * is asleep wakes at the sleeper's next pass; call `wakeEnvironment` with `forMs` to wake it now.
 */
export async function keepAwake(session: KubeSession, name: string, until: Date, options: ApiOptions & { now?: Date | undefined } = {}): Promise<{ awakeUntil: string }> {
  const now = options.now ?? new Date();
  if (Number.isNaN(until.getTime()) || until.getTime() <= now.getTime()) {
    throw new InvalidInputError(`Cannot keep "${name}" awake until ${Number.isNaN(until.getTime()) ? 'an invalid date' : until.toISOString()}: that is not in the future.`);
  }
  const api = new SleepApi(session, options);
  await api.readEnvironment(name);
  const awakeUntil = until.toISOString();
  try {
    await api.patchNamespace(name, { [ANNOTATION_AWAKE_UNTIL]: awakeUntil, [ANNOTATION_ASLEEP_UNTIL]: null });
  } catch (error) {
    throw toTEnvError(error, session, `patch namespace ${name}`);
  }
  return { awakeUntil };
}

// ---- waiting for pods ------------------------------------------------------------------------

export interface WaitUntilReadyOptions {
  signal?: AbortSignal | undefined;
  /** Default 5 minutes. */
  timeoutMs?: number | undefined;
  onProgress?: ((text: string) => void) | undefined;
}

interface ScalableStatus {
  metadata?: { name?: string | undefined; generation?: number | undefined } | undefined;
  spec?: { replicas?: number | undefined } | undefined;
  status?: { observedGeneration?: number | undefined; readyReplicas?: number | undefined } | undefined;
}

/** `Deployment/api (1/2 ready)` for every Deployment/StatefulSet whose wanted pods are not all ready yet. */
function notReady(kind: ScalableKind, items: readonly ScalableStatus[]): string[] {
  return items.flatMap((w) => {
    const wanted = w.spec?.replicas ?? 1;
    const ready = w.status?.readyReplicas ?? 0;
    const observed = (w.status?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0);
    return wanted > 0 && (!observed || ready < wanted) ? [`${kind}/${w.metadata?.name ?? '?'} (${ready}/${wanted} ready)`] : [];
  });
}

/**
 * Resolves once every Deployment and StatefulSet of the environment has all its wanted pods
 * ready, watching (never polling) through informers that survive dropped watches. Rejects with a
 * `timeout` error naming the workloads still waiting, or `CancelledError` on abort.
 */
export async function waitUntilReady(session: KubeSession, name: string, options: WaitUntilReadyOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const kc = session.kc;
  const kinds = kindClients(kc);
  const informers = SCALABLE_KINDS.map((kind) => [kind, new ResilientInformer(kinds[kind].informer(name)) as ResilientInformer<k8s.KubernetesObject & ScalableStatus>] as const);
  const pending = (): string[] => informers.flatMap(([kind, informer]) => notReady(kind, informer.list()));
  const total = (): number => informers.flatMap(([, informer]) => informer.list()).filter((w) => (w.spec?.replicas ?? 1) > 0).length;
  let lastProgress = '';
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    let synced = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error); else resolve();
    };
    const check = (): void => {
      if (!synced || settled) return;
      const waiting = pending();
      const progress = `${name}: ${total() - waiting.length}/${total()} workloads ready${waiting.length ? `; waiting for ${waiting.slice(0, 3).join(', ')}${waiting.length > 3 ? ', …' : ''}` : ''}`;
      if (progress !== lastProgress) options.onProgress?.(progress);
      lastProgress = progress;
      if (waiting.length === 0) finish();
    };
    const onAbort = (): void => finish(new CancelledError(`Waiting for "${name}" to be ready`));
    const timer = setTimeout(() => {
      finish(new TEnvError('timeout', `The environment "${name}" was not ready after ${Math.round(timeoutMs / 1000)} s: ${pending().join(', ') || 'nothing listed yet'}.`, {
        hint: 'Look at the workloads\' events and logs: pods may be crash-looping, pulling images or unschedulable.', actions: ['retry', 'showLog'],
      }));
    }, timeoutMs);
    if (options.signal?.aborted) { onAbort(); return; }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    for (const [, informer] of informers) {
      informer.on('add', check);
      informer.on('update', check);
      informer.on('delete', check);
    }
    Promise.all(informers.map(([, informer]) => informer.start())).then(() => { synced = true; check(); },
      (error: unknown) => finish(toTEnvError(error, session, `watch ${SCALABLE_KINDS.map((kind) => KINDS[kind].plural).join(' and ')} in namespace ${name}`)));
  }).finally(() => Promise.all(informers.map(([, informer]) => informer.stop())));
}
