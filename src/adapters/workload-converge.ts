// Taking one workload to asleep or awake: the planned patch (core/sleep-plan.ts) sent with the
// resourceVersion it was planned from, re-planned on a fresh read after a 409; and the KEDA
// ScaledObjects of sleeping workloads paused alongside. Used by manual sleep/wake and the sleeper.
import type { WorkloadKind } from '../core/kinds.ts';
import { planScaledObject } from '../core/keda.ts';
import type { ScaledObjectLike } from '../core/keda.ts';
import { planWorkload, workloadLabel } from '../core/sleep-plan.ts';
import type { SleepableObject, SleepMode, SleepTarget, WorkloadPlan } from '../core/sleep-plan.ts';
import { isApiStatus, toTEnvError } from './kube.ts';
import type { SleepApi } from './sleep-api.ts';
import { CONFLICT_RETRIES, DEFAULT_CONCURRENCY, isApiError, runLimited } from './sleep-api.ts';

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
