// Sleep and wake, decided without I/O: what an environment should be now (its schedule plus the
// manual-wake and manual-sleep markers), and for each workload the one merge patch that gets it
// there, or why it is left alone. The adapters only fetch, patch and retry.
//
// Annotation contract (namespace):
// - `t-env.dev/awake-until` (ISO instant): a manual wake; awake until then whatever the schedule
//   says. Set by Wake and Keep Awake, which also remove `asleep-until`.
// - `t-env.dev/asleep-until` (ISO instant): a manual sleep ("Sleep now"); asleep until then
//   whatever the schedule says. Without it the sleeper would wake an environment put to sleep
//   inside an awake window at its very next pass. Sleep sets it to the next scheduled wake (the
//   start of the next awake stretch), so the schedule takes over from then on; a schedule that
//   never wakes on its own (`always`, or an unreadable one) gets `ASLEEP_INDEFINITELY`: asleep
//   until someone wakes it. Sleep also removes `awake-until`.
// If both markers lie in the future (only a hand edit can do that), awake-until wins: keeping an
// environment awake that someone wants asleep costs money, the reverse costs someone's work.
// The sleeper removes markers that have expired (with a resourceVersion precondition, so it never
// removes one written after it looked).
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
import {
  ANNOTATION_ASLEEP_UNTIL, ASLEEP_INDEFINITELY, ANNOTATION_AWAKE_HOURS, ANNOTATION_AWAKE_UNTIL, ANNOTATION_REPLICAS_BEFORE_SLEEP, ANNOTATION_SLEEP, ANNOTATION_TIMEZONE,
} from './environment.ts';
import type { Meta, WorkloadKind } from './environment.ts';
import { InvalidInputError } from './errors.ts';
import { quoteValue } from './sanitize.ts';
import { ANNOTATION_HOLIDAYS, ANNOTATION_PREWARM_MINUTES, schedulePolicy } from './schedule-policy.ts';
import type { Holidays } from './schedule-policy.ts';
import { wakeUntil } from './schedule.ts';
import type { ScheduleLike } from './schedule.ts';

export { ANNOTATION_ASLEEP_UNTIL, ASLEEP_INDEFINITELY };

export type SleepTarget = 'awake' | 'asleep';

/**
 * `manual`: a person asked ("Sleep now", "Wake"). `scheduled`: the sleeper follows the schedule
 * and must not undo what people did by hand while the environment slept.
 */
export type SleepMode = 'manual' | 'scheduled';

/** What the sleeper should make of an environment at an instant. */
export interface EnvironmentVerdict {
  /** `undefined`: leave the environment alone (it has no schedule, or its annotations are corrupt). */
  readonly state: SleepTarget | undefined;
  readonly reason: 'schedule' | 'manual-wake' | 'manual-sleep' | 'no-schedule' | 'problem';
  /** Corrupt annotations, reported and never guessed around. */
  readonly problems: readonly string[];
  /** Marker annotations that have expired and can be removed. */
  readonly expired: readonly string[];
}

type Annotations = Readonly<Record<string, string>> | undefined;

/** Longest marker text parsed as an instant (RFC 3339 with nanoseconds and an offset is 35). */
export const MAX_INSTANT_CHARS = 64;

function parseInstant(annotations: Annotations, key: string, problems: string[]): Date | undefined {
  const text = annotations?.[key];
  if (text === undefined) return undefined;
  // An instant is at most ~35 characters: longer text is not parsed at all.
  const time = text.length > MAX_INSTANT_CHARS ? NaN : Date.parse(text);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    problems.push(`${key} is ${quoteValue(text)}, not an ISO 8601 instant such as 2030-01-31T18:00:00Z`);
    return undefined;
  }
  return new Date(time);
}

/** The schedule of a namespace's annotations; `undefined` if it has none; pushes a problem if corrupt. */
function readSchedule(annotations: Annotations, now: Date, problems: string[], company?: Holidays): { schedule: ScheduleLike; zone: string } | undefined {
  const hours = annotations?.[ANNOTATION_AWAKE_HOURS];
  const zone = annotations?.[ANNOTATION_TIMEZONE];
  if (hours === undefined && zone === undefined) return undefined;
  if (hours === undefined || zone === undefined) {
    problems.push(`${hours === undefined ? ANNOTATION_AWAKE_HOURS : ANNOTATION_TIMEZONE} is missing (${hours === undefined ? ANNOTATION_TIMEZONE : ANNOTATION_AWAKE_HOURS} is set)`);
    return undefined;
  }
  try {
    // Pre-warm and holidays (schedule-policy.ts) come with the awake hours.
    const schedule = schedulePolicy(hours, { prewarmMinutes: annotations?.[ANNOTATION_PREWARM_MINUTES], holidays: annotations?.[ANNOTATION_HOLIDAYS] }, company);
    schedule.isAwake(now, zone); // validates the zone
    return { schedule, zone };
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/**
 * Whether an environment should be awake at `now`: a manual wake (`awake-until` in the future),
 * else a manual sleep (`asleep-until` in the future), else its schedule. Any corrupt annotation
 * makes the verdict `undefined` with the problem named: the sleeper never guesses.
 */
export function environmentVerdict(annotations: Annotations, now: Date, companyHolidays?: Holidays): EnvironmentVerdict {
  const problems: string[] = [];
  const awakeUntil = parseInstant(annotations, ANNOTATION_AWAKE_UNTIL, problems);
  const asleepUntil = parseInstant(annotations, ANNOTATION_ASLEEP_UNTIL, problems);
  const schedule = readSchedule(annotations, now, problems, companyHolidays);
  const time = now.getTime();
  const expired = [
    ...(awakeUntil !== undefined && awakeUntil.getTime() <= time ? [ANNOTATION_AWAKE_UNTIL] : []),
    ...(asleepUntil !== undefined && asleepUntil.getTime() <= time ? [ANNOTATION_ASLEEP_UNTIL] : []),
  ];
  if (problems.length > 0) return { state: undefined, reason: 'problem', problems, expired: [] };
  if (awakeUntil !== undefined && time < awakeUntil.getTime()) return { state: 'awake', reason: 'manual-wake', problems, expired };
  if (asleepUntil !== undefined && time < asleepUntil.getTime()) return { state: 'asleep', reason: 'manual-sleep', problems, expired };
  if (schedule === undefined) return { state: undefined, reason: 'no-schedule', problems, expired };
  return { state: schedule.schedule.isAwake(now, schedule.zone) ? 'awake' : 'asleep', reason: 'schedule', problems, expired };
}

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

/**
 * The `awake-until` of a manual wake at `now`: `now + forMs` if given, else the end of the
 * scheduled awake stretch but at least `minimumHours` (see `wakeUntil`); without a readable
 * schedule, `minimumHours` from now (and `problem` says why, if the schedule is corrupt).
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
  const until = schedule === undefined
    ? new Date(now.getTime() + minimumHours * 3_600_000)
    : wakeUntil(schedule.schedule, schedule.zone, now, minimumHours);
  return { until: until.toISOString(), problem: problems[0] };
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
