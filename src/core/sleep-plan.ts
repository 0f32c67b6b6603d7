// Sleep and wake, decided without I/O: the markers a manual sleep or wake writes on the namespace,
// and for each workload the one merge patch that gets it to the state environment-verdict.ts
// decides, or why it is left alone. The adapters only fetch, patch and retry.
//
// Annotation contract (workload):
// - `t-env.dev/replicas-before-sleep`: written in the same patch that scales a Deployment or
//   StatefulSet to 0 (the count as a decimal) or suspends a CronJob (its previous `suspend`,
//   "true" or "false"); removed in the same patch that restores it. So the count is never lost,
//   whatever step a process dies after, and "has the annotation" means "asleep by T-Env".
// - `t-env.dev/sleep: never`: left alone. Workloads with a controller owner reference are left
//   alone too (their controller would undo the change).
// - A workload someone woke by hand while its environment was asleep (annotation present but
//   replicas > 0, or a CronJob un-suspended) keeps what that person set: wake only drops the
//   annotation, the scheduled sleep does not put it back (it does at the next scheduled sleep after
//   a wake); an explicit "Sleep now" records the new count and sleeps it.
//
// HPAs: not touched. The HPA controller does not scale a target whose replicas are 0 (its
// ScalingActive condition turns False with reason ScalingDisabled), so sleeping to 0 sticks; on
// wake the recorded count comes back and the HPA takes over again (it clamps to its min/max even
// without a metrics server, and otherwise leaves the count alone while metrics are missing).
import { ANNOTATION_ASLEEP_UNTIL, ASLEEP_INDEFINITELY, ANNOTATION_REPLICAS_BEFORE_SLEEP, ANNOTATION_SLEEP } from './environment.ts';
import type { Meta, WorkloadKind } from './environment.ts';
import { readSchedule } from './environment-verdict.ts';
import type { Annotations, SleepTarget } from './environment-verdict.ts';
import { InvalidInputError } from './errors.ts';
import { quoteValue } from './sanitize.ts';

export { ANNOTATION_ASLEEP_UNTIL, ASLEEP_INDEFINITELY };
export type { SleepTarget };

/**
 * `manual`: a person asked ("Sleep now", "Wake"). `scheduled`: the sleeper follows the schedule
 * and must not undo what people did by hand while the environment slept.
 */
export type SleepMode = 'manual' | 'scheduled';

/**
 * The `asleep-until` of a manual sleep at `now`: the start of the next scheduled awake stretch
 * (after the current one, if the schedule is awake now), or `ASLEEP_INDEFINITELY` if the schedule
 * never wakes on its own or cannot be read (then `problem` says why).
 */
export function manualSleepUntil(annotations: Annotations, now: Date): { until: string; problem: string | undefined } {
  const problems: string[] = [];
  const schedule = readSchedule(annotations, now, problems);
  if (schedule === undefined) return { until: ASLEEP_INDEFINITELY, problem: problems[0] };
  let next = schedule.schedule.next(now, schedule.zone);
  if (next?.action === 'sleep') next = schedule.schedule.next(next.at, schedule.zone);
  return { until: next?.action === 'wake' ? next.at.toISOString() : ASLEEP_INDEFINITELY, problem: undefined };
}

/** How long a manual wake lasts at least, unless the user's settings say otherwise (`tenv.wakeMinimumHours`). */
export const DEFAULT_MINIMUM_WAKE_HOURS = 2;

/**
 * The `awake-until` of a manual wake at `now`: `now + forMs` if given, else the end of the
 * scheduled awake stretch but at least `minimumHours` from now. If the schedule is asleep now its
 * sleep has already begun, so the wake lasts `minimumHours` (and the verdict keeps it awake on
 * through a scheduled window that starts before then). Without a readable schedule, and for one
 * that never sleeps: `minimumHours` from now (`problem` says why, if the schedule is corrupt).
 */
export function manualWakeUntil(annotations: Annotations, now: Date, minimumHours: number, forMs?: number): { until: string; problem: string | undefined } {
  if (forMs !== undefined) {
    const until = new Date(now.getTime() + forMs);
    if (!Number.isFinite(forMs) || forMs <= 0 || Number.isNaN(until.getTime())) throw new InvalidInputError(`Invalid wake duration "${forMs}" ms: expected a positive duration that ends before the year 275760.`);
    return { until: until.toISOString(), problem: undefined };
  }
  if (!Number.isFinite(minimumHours) || minimumHours < 0) {
    throw new InvalidInputError(`Invalid minimum wake hours "${minimumHours}": expected a number of hours, 0 or more`);
  }
  const problems: string[] = [];
  const schedule = readSchedule(annotations, now, problems);
  const minimum = now.getTime() + minimumHours * 3_600_000;
  const stretchEnd = schedule?.schedule.isAwake(now, schedule.zone) ? schedule.schedule.next(now, schedule.zone) : undefined;
  return { until: new Date(Math.max(minimum, stretchEnd?.at.getTime() ?? minimum)).toISOString(), problem: problems[0] };
}

// ---- workloads -------------------------------------------------------------------------------

/** The parts of a Deployment, StatefulSet or CronJob that sleep and wake look at. */
export interface SleepableObject {
  metadata?: (Meta & { resourceVersion?: string | undefined }) | undefined;
  spec?: { replicas?: number | undefined; suspend?: boolean | undefined } | undefined;
}

/** A JSON merge patch for a workload. `resourceVersion` makes the API server refuse (409) a patch based on a stale read. */
export interface WorkloadPatch {
  metadata: { resourceVersion?: string; annotations: Record<string, string | null> };
  spec?: { replicas: number } | { suspend: boolean };
}

export type WorkloadPlan =
  | { readonly type: 'patch'; readonly patch: WorkloadPatch; readonly summary: string }
  | { readonly type: 'unchanged' }
  | { readonly type: 'skip'; readonly reason: string }
  | { readonly type: 'problem'; readonly problem: string };

const COUNT = /^(0|[1-9]\d{0,8})$/;

/** `Deployment/api` */
export function workloadLabel(kind: WorkloadKind, obj: SleepableObject): string {
  return `${kind}/${obj.metadata?.name ?? '?'}`;
}

/**
 * The one patch that takes a workload to `target`, or why there is none. Pure: the adapters call
 * it again on a fresh read after a 409.
 */
export function planWorkload(kind: WorkloadKind, obj: SleepableObject, target: SleepTarget, mode: SleepMode): WorkloadPlan {
  const meta = obj.metadata ?? {};
  const annotations = meta.annotations ?? {};
  const label = workloadLabel(kind, obj);
  const owner = meta.ownerReferences?.find((o) => o.controller);
  if (owner) return { type: 'skip', reason: `${label} is managed by ${owner.kind}/${owner.name}` };
  const sleepValue = annotations[ANNOTATION_SLEEP];
  if (sleepValue !== undefined && sleepValue !== 'never') {
    return { type: 'problem', problem: `${label}: ${ANNOTATION_SLEEP} is ${quoteValue(sleepValue)} (only "never" is known); left alone` };
  }
  const cron = kind === 'CronJob';
  const recorded = annotations[ANNOTATION_REPLICAS_BEFORE_SLEEP];
  if (recorded !== undefined && !(cron ? recorded === 'true' || recorded === 'false' : COUNT.test(recorded))) {
    return { type: 'problem', problem: `${label}: ${ANNOTATION_REPLICAS_BEFORE_SLEEP} is ${quoteValue(recorded)}, not ${cron ? '"true" or "false"' : 'a replica count'}; left alone` };
  }
  const current = cron ? String(obj.spec?.suspend === true) : String(obj.spec?.replicas ?? 1);
  const sleeping = cron ? obj.spec?.suspend === true : obj.spec?.replicas === 0;
  const precondition = meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion };
  const what = cron ? 'suspend' : 'replicas';

  if (target === 'asleep') {
    if (sleepValue === 'never') return { type: 'skip', reason: `${label} is annotated ${ANNOTATION_SLEEP}=never` };
    if (recorded !== undefined) {
      if (sleeping) return { type: 'unchanged' };
      if (mode === 'scheduled') return { type: 'skip', reason: `${label} was woken by hand while asleep (${what} ${current}); left as is` };
    }
    return {
      type: 'patch',
      patch: { metadata: { ...precondition, annotations: { [ANNOTATION_REPLICAS_BEFORE_SLEEP]: current } }, ...(sleeping ? {} : { spec: cron ? { suspend: true } : { replicas: 0 } }) },
      summary: sleeping ? `${label}: ${what} ${current} recorded` : `${label}: ${what} ${current} → ${cron ? 'true' : '0'}`,
    };
  }

  if (recorded === undefined) return { type: 'unchanged' };
  const dropRecord = { [ANNOTATION_REPLICAS_BEFORE_SLEEP]: null };
  if (!sleeping) {
    // Someone changed it while it slept: theirs is the newer decision.
    return { type: 'patch', patch: { metadata: { ...precondition, annotations: dropRecord } }, summary: `${label}: changed while asleep, kept at ${what} ${current}` };
  }
  const restore = cron ? { suspend: recorded === 'true' } : { replicas: Number(recorded) };
  const noop = cron ? recorded === 'true' : recorded === '0';
  return {
    type: 'patch',
    patch: { metadata: { ...precondition, annotations: dropRecord }, ...(noop ? {} : { spec: restore }) },
    summary: `${label}: ${what} ${current} → ${recorded}`,
  };
}
