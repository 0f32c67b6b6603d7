// Sleep and wake of one environment: every Deployment and StatefulSet to 0 replicas and every
// CronJob suspended, and back, with one atomic merge patch per workload (the contract and the
// decisions live in core/sleep-plan.ts). The request plumbing is in sleep-api.ts, one workload's
// convergence in workload-converge.ts, waiting for pods in wait-ready.ts.
//
// Order of writes, so that a process killed between any two requests loses nothing and the next
// run (or the sleeper) finishes the job: first the namespace marker (`asleep-until` for a sleep,
// `awake-until` for a wake), which tells the sleeper what the environment should be, with the
// sleep ledger's record of the transition in the same patch (core/sleep-ledger.ts), then the
// workloads in parallel, each in a single patch that carries both the count and its record.
import type * as k8s from '@kubernetes/client-node';
import { ANNOTATION_AWAKE_UNTIL, environmentRefusal } from '../core/environment.ts';
import { WORKLOAD_KINDS } from '../core/kinds.ts';
import type { WorkloadKind } from '../core/kinds.ts';
import { baselineReachedBy, baselineToWake } from '../core/baseline-sleep.ts';
import { describeError, InvalidInputError, isCancelled, isTEnvError, NotFoundError } from '../core/errors.ts';
import { ANNOTATION_SLEEP_LEDGER, ledgerUpdate, parseLedger, transitionMessage } from '../core/sleep-ledger.ts';
import type { LedgerCause, TransitionActor } from '../core/sleep-ledger.ts';
import { ANNOTATION_ASLEEP_UNTIL, manualSleepUntil, manualWakeUntil } from '../core/sleep-plan.ts';
import type { SleepableObject, SleepTarget } from '../core/sleep-plan.ts';
import { isApiStatus, ownNamespace, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';
import { CONFLICT_RETRIES, DEFAULT_CONCURRENCY, isApiError, RequestCounter, runLimited, SleepApi } from './sleep-api.ts';
import type { ApiOptions } from './sleep-api.ts';
import { convergeWorkload, pauseScaledObjects, sleepingWorkloads } from './workload-converge.ts';

/**
 * Records a transition as a Normal Event on the namespace ("Woken by alice from VS Code"). The
 * Event only tells people what happened (the ledger is the record), so a refusal (no `create
 * events` right) or a failure is not the transition's problem; cancellation still stops it.
 */
export async function transitionEvent(api: SleepApi, namespace: string, state: SleepTarget, cause: LedgerCause, actor: TransitionActor | undefined, now: Date): Promise<void> {
  const message = transitionMessage(state, cause, actor);
  try {
    await api.createNamespaceEvent(namespace, state === 'asleep' ? 'Slept' : 'Woken', message, now, 'Normal');
  } catch (error) {
    if (!isApiError(error)) throw error;
  }
}

export interface TransitionOptions extends ApiOptions {
  /** The instant the markers are computed from; now by default. */
  now?: Date | undefined;
  onProgress?: ((text: string) => void) | undefined;
  /** Workload patches in flight at once (default 32). */
  concurrency?: number | undefined;
  /** Who asks, for the Event ("Woken by alice from VS Code"); the user is looked up when not given. */
  actor?: TransitionActor | undefined;
  /**
   * The namespace and its workloads as a live store already holds them (the extension): no reads
   * before the writes. Every write carries the resourceVersion it was planned from, and a stale
   * namespace (a 409 on the marker) has the namespace and the workloads read afresh, so a sleep or
   * wake the store has not seen yet is not planned around. A workload changed or created without
   * any change to its namespace, and not yet seen by the store, is left to the sleeper's next pass,
   * which converges on the marker written here. Pass it only from a store that is connected.
   */
  known?: KnownEnvironment | undefined;
}

export interface KnownEnvironment {
  readonly namespace: k8s.V1Namespace;
  readonly workloads: readonly { kind: WorkloadKind; obj: SleepableObject }[];
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
  /** `Deployment/api` for each workload patched (waitUntilReady waits for these on a store). */
  changedWorkloads: string[];
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
  /** The `auto` baseline of an overlay, woken with it (core/baseline-sleep.ts). */
  baseline?: { name: string; changed: number } | undefined;
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

/**
 * The namespace (checked by `read`: an environment, or a baseline the sleeper manages) and its workloads, read in one round trip: the
 * lists only read, so they go out with the check, whose error (not an environment, not found)
 * wins over theirs.
 */
async function readNamespaceAndWorkloads(api: SleepApi, name: string, read: (api: SleepApi) => Promise<k8s.V1Namespace>): Promise<{ ns: k8s.V1Namespace; workloads: { kind: WorkloadKind; obj: SleepableObject }[] }> {
  const session = api.session;
  const listing = WORKLOAD_KINDS.map(async (kind) => {
    try {
      return (await api.listWorkloads(kind, name)).map((obj) => ({ kind, obj }));
    } catch (error) {
      throw toTEnvError(error, session, `list ${api.resourceOf(kind)} in namespace ${name}`);
    }
  });
  const lists = Promise.all(listing);
  lists.catch(() => undefined); // awaited below unless the check fails first
  let ns: k8s.V1Namespace;
  try {
    ns = await read(api);
  } catch (error) {
    const reported = await authFailureAmong(error, lists);
    if (reported !== error || !(isTEnvError(error) && error.kind === 'unreachable')) throw reported;
    // Alone on a fresh connection the read gets the server's own answer (a 401 after a GOAWAY).
    ns = await read(api);
  }
  return { ns, workloads: (await lists).flat() };
}

async function transition(
  session: KubeSession, name: string, target: SleepTarget, cause: LedgerCause, options: TransitionOptions,
  marker: (ns: k8s.V1Namespace) => { annotations: Record<string, string | null>; problem: string | undefined },
  read: (api: SleepApi) => Promise<k8s.V1Namespace> = (api) => api.readEnvironment(name),
): Promise<TransitionResult> {
  const now = options.now ?? new Date();
  const api = new SleepApi(session, options);
  const start = api.counter.count;
  const verb = target === 'asleep' ? 'Putting' : 'Waking';
  const suffix = target === 'asleep' ? ' to sleep' : '';
  options.onProgress?.(`${verb} ${name}${suffix}…`);
  const known = options.known;
  // A stored copy is checked as a read one is: a namespace that is not an environment (or is protected) is refused.
  const refusal = known && environmentRefusal(known.namespace, ownNamespace());
  if (refusal) throw refusal;
  const scaledObjects = api.listScaledObjects(name).then((items) => ({ items, problem: undefined as string | undefined }), (error: unknown) => {
    // Someone who may not see ScaledObjects cannot pause them: the sleeper, which may, pauses
    // them at its next pass.
    if (isApiStatus(error, 403)) return { items: [], problem: undefined };
    if (!isApiError(error)) throw error;
    return { items: [], problem: `KEDA ScaledObjects left alone: ${toTEnvError(error, session, `list scaledobjects in namespace ${name}`).message}` };
  });
  scaledObjects.catch(() => undefined); // awaited below
  let { ns, workloads } = known ? { ns: known.namespace, workloads: known.workloads } : await readNamespaceAndWorkloads(api, name, read);
  // A stored copy whose namespace turns out stale (a 409) may hold stale workloads too (a sleep
  // the store has not seen would plan no wake at all): then both are read afresh.
  let stale = false;
  // The marker and the ledger go in one patch, based on the namespace as read (a 409 reads it
  // again), so the ledger never records a transition whose marker was not written, or twice.
  let written: { problem: string | undefined; ledgerProblem: string | undefined; event: boolean };
  // Who did it, for the Event: looked up beside the marker's patch, not after it (one round trip fewer).
  let actor: Promise<TransitionActor | undefined> = Promise.resolve(options.actor);
  for (let attempt = 0; ; attempt++) {
    const { annotations, problem } = marker(ns);
    const ledger = ledgerUpdate(ns.metadata?.annotations, { state: target, cause, at: now });
    const patch = ledger.value === undefined ? annotations : { ...annotations, [ANNOTATION_SLEEP_LEDGER]: ledger.value };
    if (attempt === 0 && options.actor && options.actor.user === undefined && ledger.value !== undefined && ledger.previous !== target) {
      const known = options.actor;
      // A refused lookup only leaves the name out of the Event; a crash or a cancellation still stops the transition.
      actor = api.whoAmI().then((user) => ({ ...known, user: user || undefined }), (error: unknown) => { if (!isApiError(error)) throw error; return { ...known, user: undefined }; });
      actor.catch(() => undefined); // awaited with the Event
    }
    try {
      await api.patchNamespace(name, patch, ns.metadata?.resourceVersion);
      written = { problem, ledgerProblem: ledger.problem, event: ledger.value !== undefined && ledger.previous !== target };
      break;
    } catch (error) {
      if (!isApiStatus(error, 409) || attempt >= CONFLICT_RETRIES) throw toTEnvError(error, session, `patch namespace ${name}`);
    }
    if (known && !stale) {
      stale = true;
      ({ ns, workloads } = await readNamespaceAndWorkloads(api, name, read));
    } else {
      ns = await read(api);
    }
  }
  const event = written.event ? actor.then((who) => transitionEvent(api, name, target, cause, who, now)) : Promise.resolve();
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
    changedWorkloads: outcomes.filter((o) => o.status === 'changed').map((o) => o.label),
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
  let environment: k8s.V1Namespace | undefined;
  const result = await transition(session, name, 'awake', options.cause ?? 'manual', options, (ns) => {
    environment = ns;
    const { until, problem } = manualWakeUntil(ns.metadata?.annotations, now, options.minimumHours, options.forMs);
    awakeUntil = until;
    return {
      annotations: { [ANNOTATION_AWAKE_UNTIL]: until, [ANNOTATION_ASLEEP_UNTIL]: null },
      problem: problem === undefined ? undefined : `The schedule cannot be read (${problem}); awake for ${options.minimumHours} h.`,
    };
  });
  const baseline = await wakeAutoBaseline(session, name, environment?.metadata?.annotations, { ...options, now });
  return { ...result, problems: [...result.problems, ...baseline.problems], requests: result.requests + baseline.requests, awakeUntil, baseline: baseline.woken };
}

/**
 * Wakes the `auto` baseline of a woken environment made from it when it is not awake yet
 * (core/baseline-sleep.ts), so that an overlay's routed Services answer now rather than at the sleeper's next pass: its
 * ledger, then its workloads, as `transition` does, but no marker (it stays awake because the
 * environment is). A baseline the user may not change is a problem line, never a failed wake: the
 * sleeper, which may, wakes it at its next pass. One the user may not even read, or that is gone,
 * is the sleeper's alone (whether it is `auto` cannot be told): nothing is said.
 */
async function wakeAutoBaseline(session: KubeSession, overlay: string, annotations: Record<string, string> | undefined, options: WakeOptions): Promise<{ woken: WakeResult['baseline']; problems: string[]; requests: number }> {
  const name = baselineReachedBy(annotations);
  if (name === undefined) return { woken: undefined, problems: [], requests: 0 };
  const counter = options.counter ?? new RequestCounter();
  const start = counter.count;
  // What the caller knew of the overlay (TransitionOptions.known) says nothing of the baseline.
  const opts = { ...options, counter, known: undefined };
  const none = (): Awaited<ReturnType<typeof wakeAutoBaseline>> => ({ woken: undefined, problems: [], requests: counter.count - start });
  const readBaseline = async (api: SleepApi): Promise<k8s.V1Namespace | undefined> => {
    try {
      return await api.readNamespaceByList(name);
    } catch (error) {
      throw toTEnvError(error, session, 'list namespaces');
    }
  };
  try {
    let read: k8s.V1Namespace | undefined;
    try {
      read = await readBaseline(new SleepApi(session, opts));
    } catch (error) {
      if (isTEnvError(error) && error.kind === 'forbidden') return none();
      throw error;
    }
    if (read === undefined || !baselineToWake(read, overlay, options.now ?? new Date())) return none();
    // The read above serves as transition's first; a 409 reads again.
    const reread = async (api: SleepApi): Promise<k8s.V1Namespace> => {
      const ns = read ?? await readBaseline(api);
      read = undefined;
      if (ns === undefined) throw new NotFoundError(`The baseline "${name}"`);
      return ns;
    };
    const result = await transition(session, name, 'awake', options.cause ?? 'manual', opts, () => ({ annotations: {}, problem: undefined }), reread);
    return { woken: { name, changed: result.changed }, problems: result.problems.map((p) => `baseline ${name}: ${p}`), requests: counter.count - start };
  } catch (error) {
    if (isCancelled(error)) throw error;
    return { ...none(), problems: [`The baseline "${name}" was not woken (${describeError(error)}); the sleeper wakes it at its next pass.`] };
  }
}

/**
 * Keeps an environment awake until `until` ("Keep awake for 1 h / 4 h / until tomorrow"): sets
 * `awake-until` and ends any manual sleep. It does not scale anything itself: an environment that
 * is asleep wakes at the sleeper's next pass; call `wakeEnvironment` with `forMs` to wake it now.
 * One whose ledger says awake is from now on awake by hand: the ledger records that cause in the
 * same patch as the marker (no Event: the state does not change). An asleep one, or one without a
 * readable ledger, is the sleeper's to record when it wakes it.
 */
export async function keepAwake(session: KubeSession, name: string, until: Date, options: ApiOptions & { now?: Date | undefined } = {}): Promise<{ awakeUntil: string }> {
  const now = options.now ?? new Date();
  if (Number.isNaN(until.getTime()) || until.getTime() <= now.getTime()) {
    throw new InvalidInputError(`Cannot keep "${name}" awake until ${Number.isNaN(until.getTime()) ? 'an invalid date' : until.toISOString()}: that is not in the future.`);
  }
  const api = new SleepApi(session, options);
  let ns = await api.readEnvironment(name);
  const awakeUntil = until.toISOString();
  for (let attempt = 0; ; attempt++) {
    const annotations = ns.metadata?.annotations;
    const ledger = parseLedger(annotations?.[ANNOTATION_SLEEP_LEDGER]).ledger?.state === 'awake'
      ? ledgerUpdate(annotations, { state: 'awake', cause: 'manual', at: now }).value
      : undefined;
    try {
      // With a ledger, only on the namespace as read (a 409 reads it again): never over a newer record.
      await api.patchNamespace(name, { [ANNOTATION_AWAKE_UNTIL]: awakeUntil, [ANNOTATION_ASLEEP_UNTIL]: null, ...(ledger === undefined ? {} : { [ANNOTATION_SLEEP_LEDGER]: ledger }) },
        ledger === undefined ? undefined : ns.metadata?.resourceVersion);
      return { awakeUntil };
    } catch (error) {
      if (!isApiStatus(error, 409) || attempt >= CONFLICT_RETRIES) throw toTEnvError(error, session, `patch namespace ${name}`);
    }
    ns = await api.readEnvironment(name);
  }
}
