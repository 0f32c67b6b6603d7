// The sleeper: puts environments to sleep and wakes them on their schedules. Level-triggered: each
// pass compares every environment with what its schedule and manual markers want *now* and makes
// only the patches that are missing, so a late, missed or interrupted pass is caught up by the next
// one (unlike cron, where a missed tick is a missed sleep).
//
// A pass makes one list per kind (environment and baseline namespaces by label, core/baseline-sleep.ts; Deployments, StatefulSets,
// CronJobs and KEDA ScaledObjects across all namespaces) and one patch per workload that must change, plus one namespace
// patch per environment whose state or its cause changes (the sleep ledger, core/sleep-ledger.ts,
// with any expired marker removed in the same patch), sent before that environment's workloads so
// that a pass killed in between finds the ledger already right and never counts twice. If the
// identity may not list a kind cluster-wide, it lists that kind per environment instead. One environment's corrupt annotations or 403s are reported in
// its result and never stop the others.
import type * as k8s from '@kubernetes/client-node';
import { isProtectedNamespace, LABEL_ENVIRONMENT } from '../core/environment.ts';
import type { WorkloadKind } from '../core/environment.ts';
import { WORKLOAD_KINDS } from '../core/kinds.ts';
import { asError, describeError, isCancelled, isTEnvError } from '../core/errors.ts';
import { baselineReachedBy, isBaselineNamespace, isSleeperManaged, sleepDecisions } from '../core/baseline-sleep.ts';
import type { EnvironmentVerdict } from '../core/environment-verdict.ts';
import { companyHolidays } from '../core/schedule-policy.ts';
import type { Holidays } from '../core/schedule-policy.ts';
import { planWorkload, workloadLabel } from '../core/sleep-plan.ts';
import type { SleepableObject, SleepTarget } from '../core/sleep-plan.ts';
import { ANNOTATION_SLEEP_LEDGER, ledgerUpdate } from '../core/sleep-ledger.ts';
import type { LedgerCause } from '../core/sleep-ledger.ts';
import type { ScaledObjectLike } from '../core/keda.ts';
import { isApiStatus, ownNamespace, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';
import { listManagedBaselines } from './sleeper-baselines.ts';
import { sweepExpired } from './expiry-sweep.ts';
import type { ExpiryOptions, ExpiryOutcome } from './expiry-sweep.ts';
import { transitionEvent } from './sleep.ts';
import { DEFAULT_CONCURRENCY, isApiError, PASS_CONCURRENCY, RequestCounter, runLimited, SleepApi } from './sleep-api.ts';
import { convergeWorkload, pauseScaledObjects, settledOutcome, sleepingWorkloads } from './workload-converge.ts';
import type { ApiOptions } from './sleep-api.ts';
import type { WorkloadOutcome } from './workload-converge.ts';

export interface EnvironmentResult {
  readonly name: string;
  /** `sleep`/`wake` when this pass changed workloads towards that state. */
  readonly action: 'sleep' | 'wake' | 'none';
  /** What the schedule and the markers want now; `undefined` without a schedule or with problems. */
  readonly desired: SleepTarget | undefined;
  /** Workloads patched. */
  readonly changed: number;
  readonly skipped: readonly string[];
  readonly problems: readonly string[];
}

export interface SleeperPass {
  readonly startedAt: string;
  readonly durationMs: number;
  /** API requests the pass made (lists, patches, 409 re-reads, events). */
  readonly requests: number;
  readonly environments: readonly EnvironmentResult[];
}

export type SleeperEvent =
  /** An environment this pass changed or found a problem in. */
  | { readonly type: 'environment'; readonly result: EnvironmentResult }
  | { readonly type: 'pass'; readonly pass: SleeperPass }
  | { readonly type: 'pass-failed'; readonly error: Error }
  | { readonly type: 'warning'; readonly message: string }
  /** An environment's TTL: warned about, deleted, refused or failed (expiry-sweep.ts). */
  | { readonly type: 'expiry'; readonly outcome: ExpiryOutcome };

export interface ReconcileOptions extends ApiOptions {
  now?: Date | undefined;
  /** Extra label selector ANDed with `t-env.dev/environment=true` (tests, sharding). */
  selector?: string | undefined;
  /** Only the environments whose name passes (benchmarks on a shared cluster); all by default. */
  include?: ((name: string) => boolean) | undefined;
  /** Requests in flight at once (default PASS_CONCURRENCY, shaped down on 429). */
  concurrency?: number | undefined;
  onEvent?: ((event: SleeperEvent) => void) | undefined;
  /** Report new problems as Warning Events on the environment's namespace (needs `create events`). */
  problemEvents?: ProblemEvents | undefined;
  /** Environments with a TTL: warned about and deleted by each pass (expiry-sweep.ts). */
  expiry?: ExpiryOptions | undefined;
  /** The company holidays: read each pass from this ConfigMap's `holidays` key (schedule-policy.ts). */
  holidaysConfigMap?: { readonly namespace: string; readonly name: string } | undefined;
  /** Sees every environment of the pass as listed, before any decision (sleeper-metrics.ts). */
  onListed?: ((environments: readonly ListedEnvironment[], now: Date) => void) | undefined;
}

/** An environment's namespace and workloads as a pass listed them (whole API objects). */
export interface ListedEnvironment {
  readonly ns: k8s.V1Namespace;
  readonly workloads: readonly { readonly kind: WorkloadKind; readonly obj: SleepableObject }[];
}

interface EnvironmentWork {
  readonly ns: k8s.V1Namespace;
  readonly name: string;
  readonly workloads: { kind: WorkloadKind; obj: SleepableObject }[];
  readonly problems: string[];
  readonly skipped: string[];
}

/**
 * One sleeper pass over every environment at `now`. Throws only when nothing can be done at all
 * (the environments cannot be listed, the cluster is unreachable, cancellation); everything that
 * concerns one environment is in its result.
 */
export async function reconcileAll(session: KubeSession, options: ReconcileOptions = {}): Promise<SleeperPass> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const counter = options.counter ?? new RequestCounter();
  const firstRequest = counter.count;
  const api = new SleepApi(session, { ...options, counter });
  const concurrency = options.concurrency ?? PASS_CONCURRENCY;
  const selector = [`${LABEL_ENVIRONMENT}=true`, options.selector].filter((s) => s).join(',');

  // KEDA ScaledObjects (core/keda.ts): one list across all namespaces; none where KEDA is not
  // installed, and a warning where the sleeper may not list them.
  const scaledObjectList = api.listScaledObjects(undefined).catch((error: unknown) => {
    if (!isApiStatus(error, 403)) throw toTEnvError(error, session, 'list scaledobjects in all namespaces');
    options.onEvent?.({ type: 'warning', message: 'may not list scaledobjects in all namespaces; KEDA ScaledObjects are not paused' });
    return [];
  });
  scaledObjectList.catch(() => undefined); // awaited below
  // Cluster-wide lists go out together; a 403 on one kind falls back to per-namespace lists below.
  const [namespaces, baselines, ...clusterLists] = await Promise.all([
    api.listNamespaces(selector).catch((error: unknown) => { throw toTEnvError(error, session, 'list namespaces'); }),
    listManagedBaselines(api, options.selector).catch((error: unknown) => { throw toTEnvError(error, session, 'list namespaces'); }),
    ...WORKLOAD_KINDS.map((kind) => api.listWorkloads(kind, undefined).catch((error: unknown) => {
      if (isApiStatus(error, 403)) return undefined;
      throw toTEnvError(error, session, `list ${api.resourceOf(kind)} in all namespaces`);
    })),
  ]);

  const scaledObjects = new Map<string, ScaledObjectLike[]>();
  for (const obj of await scaledObjectList) {
    const namespace = obj.metadata?.namespace ?? '';
    scaledObjects.set(namespace, [...(scaledObjects.get(namespace) ?? []), obj]);
  }
  const company = await readCompanyHolidays(api, options);
  const included = namespaces.filter((ns) => options.include?.(ns.metadata?.name ?? '') ?? true);
  const own = ownNamespace();
  const expiry = await sweepExpired(session, included, now, { ...options.expiry, ownNamespace: options.expiry?.ownNamespace ?? own });
  for (const outcome of expiry.outcomes) options.onEvent?.({ type: 'expiry', outcome });
  const work = new Map<string, EnvironmentWork>();
  // Baselines with awake hours are slept and woken like environments (core/baseline-sleep.ts); one
  // labelled as both is listed once. They never expire, so the sweep above does not see them.
  const envNames = new Set(included.map((ns) => ns.metadata?.name));
  const managed = [...included, ...baselines.filter((ns) => !envNames.has(ns.metadata?.name) && (options.include?.(ns.metadata?.name ?? '') ?? true) && isSleeperManaged(ns, own))];
  // An auto baseline follows every overlay listed, also those another sleeper's `include` shard handles.
  const decide = sleepDecisions(namespaces, now, company);
  for (const ns of managed) {
    const name = ns.metadata?.name;
    if (name && isProtectedNamespace(name, own)) {
      // Labelled as an environment, but the cluster's or ours: never touched (see isProtectedNamespace).
      options.onEvent?.({ type: 'warning', message: `namespace ${name} is labelled ${LABEL_ENVIRONMENT}=true but belongs to the cluster or the sleeper; left alone` });
      continue;
    }
    // A terminating namespace is on its way out; patching its workloads would only race the deletion.
    if (name && !ns.metadata?.deletionTimestamp && !expiry.deleted.has(name)) work.set(name, { ns, name, workloads: [], problems: [], skipped: [] });
  }
  const fallbacks: { kind: WorkloadKind; env: EnvironmentWork }[] = [];
  WORKLOAD_KINDS.forEach((kind, index) => {
    const items = clusterLists[index];
    if (items === undefined) {
      for (const env of work.values()) fallbacks.push({ kind, env });
      return;
    }
    for (const obj of items) work.get(obj.metadata?.namespace ?? '')?.workloads.push({ kind, obj });
  });
  if (fallbacks.length > 0) {
    options.onEvent?.({ type: 'warning', message: `may not list ${[...new Set(fallbacks.map((f) => api.resourceOf(f.kind)))].join(', ')} in all namespaces; listing them per environment` });
    await runLimited(fallbacks, concurrency, async ({ kind, env }) => {
      try {
        for (const obj of await api.listWorkloads(kind, env.name)) env.workloads.push({ kind, obj });
      } catch (error) {
        if (!isApiError(error)) throw toTEnvError(error, session, `list ${api.resourceOf(kind)}`);
        env.problems.push(toTEnvError(error, session, `list ${api.resourceOf(kind)} in namespace ${env.name}`).message);
      }
    });
  }

  options.onListed?.([...work.values()], now);

  // Decide everything first (no I/O), then send only the patches that are needed.
  interface Task { env: string; kind: WorkloadKind; obj: SleepableObject; target: SleepTarget }
  const tasks: Task[] = [];
  const outcomes = new Map<string, WorkloadOutcome[]>();
  const desired = new Map<string, SleepTarget | undefined>();
  for (const env of work.values()) {
    const { verdict } = decide(env.ns);
    desired.set(env.name, verdict.state);
    outcomes.set(env.name, []);
    env.problems.push(...verdict.problems);
    if (verdict.state === undefined) continue;
    for (const { kind, obj } of env.workloads) tasks.push({ env: env.name, kind, obj, target: verdict.state });
  }
  // The plan convergeWorkload starts with, made up front: only workloads that need a patch become tasks.
  let patches = tasks.filter((t) => {
    const plan = planWorkload(t.kind, t.obj, t.target, 'scheduled');
    if (plan.type === 'patch') return true;
    outcomes.get(t.env)?.push(settledOutcome(workloadLabel(t.kind, t.obj), plan));
    return false;
  });

  // The decision came from the lists at the start of the pass: a manual sleep or wake may have
  // landed since. Read the namespaces about to be patched again, with the same lists (one for
  // environments, one for baselines, each only when one of its kind changes: a steady pass makes
  // none, and a pass over hundreds makes two requests, not hundreds), and leave to the next pass
  // any whose wish changed.
  const changing = [...new Set(patches.map((t) => t.env))];
  const moved = new Set<string>();
  const latest = new Map<string, k8s.V1Namespace>();
  const rereads = [
    { names: changing.filter((n) => !isBaselineNamespace(work.get(n)!.ns)), list: () => api.listNamespaces(selector) },
    { names: changing.filter((n) => isBaselineNamespace(work.get(n)!.ns)), list: () => listManagedBaselines(api, options.selector) },
  ].filter((r) => r.names.length > 0);
  const reread = new Map<string, k8s.V1Namespace>();
  await Promise.all(rereads.map(async ({ names, list }) => {
    try {
      for (const ns of await list()) reread.set(ns.metadata?.name ?? '', ns);
    } catch (error) {
      // A refusal defers these namespaces; a network failure or a cancellation ends the pass.
      if (!isApiError(error)) throw toTEnvError(error, session, 'list namespaces');
      const message = toTEnvError(error, session, 'list namespaces').message;
      for (const name of names) {
        work.get(name)!.problems.push(message);
        moved.add(name);
      }
    }
  }));
  for (const name of changing) {
    if (moved.has(name)) continue;
    const env = work.get(name)!;
    const fresh = reread.get(name);
    if (fresh?.metadata?.resourceVersion === env.ns.metadata?.resourceVersion) continue;
    if (fresh !== undefined) latest.set(name, fresh);
    const decision = fresh && !fresh.metadata?.deletionTimestamp && isSleeperManaged(fresh, own) ? decide(fresh) : undefined;
    // A baseline that follows the environments made from it may have been woken with one of them (a manual Wake):
    // they are not re-read, so any change defers it to the next pass.
    if (decision?.verdict.state !== desired.get(name) || decision?.follows === true) {
      moved.add(name);
      env.skipped.push('the namespace changed during the pass (a manual sleep or wake?); the next pass decides again');
    }
  }
  // An environment deferred because someone woke (or slept) it meanwhile may have woken its `auto`
  // baseline too, which this pass decided from the old state: the baseline waits as well.
  for (const name of [...moved]) {
    const baseline = baselineReachedBy(work.get(name)?.ns.metadata?.annotations);
    if (baseline !== undefined && work.has(baseline) && !moved.has(baseline)) {
      moved.add(baseline);
      work.get(baseline)?.skipped.push(`${name}, made from it, changed during the pass; the next pass decides again`);
    }
  }
  const withPatches = new Set(patches.map((t) => t.env));

  // One namespace patch per environment whose ledger or markers need it (none in a steady pass),
  // based on the newest read; its Event goes out beside the workload patches.
  const events: { name: string; state: SleepTarget; cause: LedgerCause }[] = [];
  const namespacePatches = [...work.values()].flatMap((env) => {
    if (moved.has(env.name)) return [];
    const ns = latest.get(env.name) ?? env.ns;
    const { verdict, cause } = decide(ns);
    const patch = namespacePatch(ns, verdict, cause, now);
    return patch === undefined ? [] : [{ env, ns, verdict, cause, ...patch }];
  });
  await runLimited(namespacePatches, concurrency, async ({ env, ns, verdict, cause, annotations, ledger }) => {
    try {
      // The precondition keeps us from removing a marker, or overwriting a ledger, written after our read.
      await api.patchNamespace(env.name, annotations, ns.metadata?.resourceVersion);
      if (ledger?.problem) env.problems.push(ledger.problem);
      const state = verdict.state;
      if (ledger !== undefined && state !== undefined && (ledger.previous === undefined ? withPatches.has(env.name) : ledger.previous !== state)) {
        events.push({ name: env.name, state, cause });
      }
    } catch (error) {
      if (!isApiError(error)) throw toTEnvError(error, session, `patch namespace ${env.name}`);
      // Changed meanwhile: the next pass looks again, workloads included (the ledger comes first).
      if (isApiStatus(error, 409) || isApiStatus(error, 404)) moved.add(env.name);
      // Refused: the workloads still follow the schedule; the ledger is tried again next pass.
      else env.problems.push(toTEnvError(error, session, `patch namespace ${env.name}`).message);
    }
  });
  if (moved.size > 0) patches = patches.filter((t) => !moved.has(t.env));

  // KEDA pauses go before the workloads change, in both directions (core/keda.ts); a patch only
  // where a ScaledObject is not as it should be, so a steady pass makes none.
  await runLimited([...work.values()].filter((env) => !moved.has(env.name) && scaledObjects.has(env.name)), concurrency, async (env) => {
    const target = desired.get(env.name);
    if (target === undefined) return;
    env.problems.push(...await pauseScaledObjects(api, env.name, scaledObjects.get(env.name) ?? [], target, sleepingWorkloads(env.workloads, 'scheduled')));
  }).catch((error: unknown) => { throw toTEnvError(error, session, 'patch scaledobjects'); });

  await Promise.all([
    runLimited(patches, concurrency, async (t) => {
      outcomes.get(t.env)?.push(await convergeWorkload(api, t.kind, t.env, t.obj, t.target, 'scheduled'));
    }),
    options.problemEvents?.transitions(api, events, now),
  ]).catch((error: unknown) => { throw toTEnvError(error, session, 'patch workloads'); });

  const environments = [...work.values()].map((env): EnvironmentResult => {
    const results = outcomes.get(env.name) ?? [];
    const state = desired.get(env.name);
    const changed = results.filter((o) => o.status === 'changed').length;
    return {
      name: env.name,
      action: changed === 0 || state === undefined ? 'none' : state === 'asleep' ? 'sleep' : 'wake',
      desired: state,
      changed,
      skipped: [...env.skipped, ...results.flatMap((o) => (o.status === 'skipped' && o.detail ? [o.detail] : []))],
      problems: [...env.problems, ...results.flatMap((o) => (o.status === 'problem' && o.detail ? [o.detail] : []))],
    };
  }).sort((a, b) => a.name.localeCompare(b.name));

  for (const result of environments) {
    if (result.changed > 0 || result.problems.length > 0) options.onEvent?.({ type: 'environment', result });
  }
  await options.problemEvents?.report(api, environments, now, options.onEvent);
  return { startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, requests: counter.count - firstRequest, environments };
}

/**
 * The company holidays, when a ConfigMap is configured. An unreadable list is a warning and the
 * pass goes on without it: environments then follow their own schedules, as without the option.
 */
async function readCompanyHolidays(api: SleepApi, options: ReconcileOptions): Promise<Holidays | undefined> {
  const source = options.holidaysConfigMap;
  if (source === undefined) return undefined;
  const where = `${source.namespace}/${source.name}`;
  try {
    return companyHolidays(await api.readConfigMapData(source.namespace, source.name), where);
  } catch (error) {
    if (isCancelled(error) || (!isApiError(error) && !isTEnvError(error))) throw toTEnvError(error, api.session, `get configmap ${where}`);
    const reason = isApiError(error) ? toTEnvError(error, api.session, `get configmap ${where}`).message : describeError(error);
    options.onEvent?.({ type: 'warning', message: `company holidays not applied this pass: ${reason}` });
    return undefined;
  }
}

/**
 * The namespace patch a pass makes for an environment, or `undefined`: the ledger when the state
 * or its cause changed, and the expired markers removed.
 */
function namespacePatch(ns: k8s.V1Namespace, verdict: EnvironmentVerdict, cause: LedgerCause, now: Date): { annotations: Record<string, string | null>; ledger: ReturnType<typeof ledgerUpdate> | undefined } | undefined {
  const annotations: Record<string, string | null> = Object.fromEntries(verdict.expired.map((key) => [key, null]));
  const ledger = verdict.state === undefined ? undefined : ledgerUpdate(ns.metadata?.annotations, { state: verdict.state, cause, at: now });
  if (ledger?.value !== undefined) annotations[ANNOTATION_SLEEP_LEDGER] = ledger.value;
  if (Object.keys(annotations).length === 0) return undefined;
  return { annotations, ledger: ledger?.value === undefined ? undefined : ledger };
}

/**
 * Reports environment problems as Kubernetes Warning Events, once per distinct problem text (the
 * sleeper runs every minute; an Event per pass would bury everything else). Stops trying after a
 * 403, with one warning, so an identity without `create events` still sleeps and wakes.
 */
export class ProblemEvents {
  private readonly reported = new Map<string, string>();
  private disabled = false;

  /** "Slept by schedule", "Woken by Keep Awake": one Normal Event per environment that changed state. */
  async transitions(api: SleepApi, changes: readonly { name: string; state: SleepTarget; cause: LedgerCause }[], now: Date): Promise<void> {
    if (this.disabled) return;
    await runLimited(changes, DEFAULT_CONCURRENCY, (c) => transitionEvent(api, c.name, c.state, c.cause, undefined, now));
  }

  async report(api: SleepApi, environments: readonly EnvironmentResult[], now: Date, onEvent?: (event: SleeperEvent) => void): Promise<void> {
    const seen = new Set<string>();
    for (const env of environments) {
      seen.add(env.name);
      const text = env.problems.join('\n');
      if (text === '') { this.reported.delete(env.name); continue; }
      if (this.disabled || this.reported.get(env.name) === text) continue;
      try {
        await api.createNamespaceEvent(env.name, 'SleepScheduleProblem', `T-Env sleeper: ${env.problems.join('; ')}`, now);
        this.reported.set(env.name, text);
      } catch (error) {
        if (isApiStatus(error, 403)) {
          this.disabled = true;
          onEvent?.({ type: 'warning', message: 'may not create events; problems are only logged' });
        } else if (isCancelled(error)) {
          throw error;
        } else {
          onEvent?.({ type: 'warning', message: `could not record an event in ${env.name}: ${describeError(toTEnvError(error, api.session, `create events in namespace ${env.name}`))}` });
        }
      }
    }
    for (const name of this.reported.keys()) if (!seen.has(name)) this.reported.delete(name);
  }
}

export interface RunSleeperOptions extends Omit<ReconcileOptions, 'now' | 'problemEvents' | 'counter'> {
  /** Time between pass starts; a pass that takes longer is followed at once by the next. */
  intervalMs: number;
  /** One pass, then return it (throws if the pass fails). */
  once?: boolean | undefined;
  /** Report problems as Events on the namespaces (default true; needs `create events`). */
  events?: boolean | undefined;
  /** The time source (tests). */
  clock?: (() => Date) | undefined;
}

/**
 * Runs passes every `intervalMs` until `signal` aborts (then resolves) or, with `once`, runs one.
 * A failed pass is reported through `onEvent` and retried at the next interval. Returns the last
 * completed pass.
 */
export async function runSleeper(session: KubeSession, options: RunSleeperOptions): Promise<SleeperPass | undefined> {
  if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) throw new RangeError(`Invalid sleeper interval ${options.intervalMs} ms`);
  const clock = options.clock ?? ((): Date => new Date());
  const problemEvents = options.events === false ? undefined : new ProblemEvents();
  const signal = options.signal;
  let last: SleeperPass | undefined;
  while (!signal?.aborted) {
    const started = Date.now();
    try {
      last = await reconcileAll(session, { ...options, now: clock(), problemEvents });
      options.onEvent?.({ type: 'pass', pass: last });
    } catch (error) {
      if (signal?.aborted && isCancelled(error)) break;
      if (options.once) throw error;
      options.onEvent?.({ type: 'pass-failed', error: asError(error) });
    }
    if (options.once) break;
    await delay(Math.max(0, options.intervalMs - (Date.now() - started)), signal);
  }
  return last;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
