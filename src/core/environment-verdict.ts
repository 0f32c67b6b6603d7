// What state an environment should be in at an instant, decided once for everyone: the sleeper
// acts on it, the tree, the status bar and `t env ls` show it, and Start Dev wakes by it. A second
// copy of this rule is where the tree and the sleeper start to disagree.
//
// Annotation contract (namespace):
// - `t-env.dev/awake-hours` and `t-env.dev/timezone`: the schedule (see schedule.ts). Neither: no
//   schedule, the sleeper leaves the environment alone. One without the other is corrupt.
//   `auto` is a baseline's alone (baseline-sleep.ts): on anything else it is corrupt.
//   `t-env.dev/prewarm-minutes` and `t-env.dev/holidays` shape it (schedule-policy.ts).
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
// An instant is written `2030-01-31T18:00:00Z` (RFC 3339): `2030-01-31 18:00` is corrupt, because
// `Date.parse` reads it in the machine's own zone, so two readers would see two instants.
// The sleeper removes markers that have expired (with a resourceVersion precondition, so it never
// removes one written after it looked).
import { ANNOTATION_ASLEEP_UNTIL, ANNOTATION_AWAKE_HOURS, ANNOTATION_AWAKE_UNTIL, ANNOTATION_TIMEZONE, ASLEEP_INDEFINITELY } from './environment.ts';
import { describeError } from './errors.ts';
import { quoteValue } from './sanitize.ts';
import { effectiveAwake } from './schedule.ts';
import type { ScheduleLike, Transition } from './schedule.ts';
import { ANNOTATION_HOLIDAYS, ANNOTATION_PREWARM_MINUTES, schedulePolicy } from './schedule-policy.ts';
import type { Holidays } from './schedule-policy.ts';

export type SleepTarget = 'awake' | 'asleep';

/** What an environment should be at an instant, and what changes next. */
export interface EnvironmentVerdict {
  /** `undefined`: leave the environment alone (it has no schedule, or its annotations are corrupt). */
  readonly state: SleepTarget | undefined;
  readonly reason: 'schedule' | 'manual-wake' | 'manual-sleep' | 'no-schedule' | 'problem';
  /** Corrupt annotations, reported and never guessed around. */
  readonly problems: readonly string[];
  /** Marker annotations that have expired and can be removed. */
  readonly expired: readonly string[];
  /** The next change of `state` (none while it is left alone, nor for a sleep only a wake ends). */
  readonly next: Transition | undefined;
}

export type Annotations = Readonly<Record<string, string>> | undefined;

/** The awake hours of a baseline that is awake while an environment made from it is (baseline-sleep.ts). */
export const AUTO_AWAKE_HOURS = 'auto';

/** Whether awake hours say `auto` (spelt like `always`: any case, spaces around). */
export function isAutoHours(hours: string | undefined): boolean {
  return hours !== undefined && hours.trim().toLowerCase() === AUTO_AWAKE_HOURS;
}

/** Longest marker text parsed as an instant (RFC 3339 with nanoseconds and an offset is 35). */
export const MAX_INSTANT_CHARS = 64;

const INSTANT = /^\d{4}-\d{2}-\d{2}T/;

function parseInstant(annotations: Annotations, key: string, problems: string[]): Date | undefined {
  const text = annotations?.[key];
  if (text === undefined) return undefined;
  // An instant is at most ~35 characters: longer text is not parsed at all.
  const time = text.length > MAX_INSTANT_CHARS || !INSTANT.test(text) ? NaN : Date.parse(text);
  if (Number.isNaN(time)) {
    problems.push(`${key} is ${quoteValue(text)}, not an ISO 8601 instant such as 2030-01-31T18:00:00Z`);
    return undefined;
  }
  return new Date(time);
}

/** A namespace's schedule (awake hours with its pre-warm and holidays) and its zone. */
export interface ZonedSchedule { readonly schedule: ScheduleLike; readonly zone: string }

/**
 * The schedule of a namespace's annotations; `undefined` if it has none; pushes a problem if
 * corrupt. Pre-warm and holidays (schedule-policy.ts) come with the awake hours; `company` adds
 * the cluster-wide holidays the sleeper reads.
 */
export function readSchedule(annotations: Annotations, now: Date, problems: string[], company?: Holidays): ZonedSchedule | undefined {
  const hours = annotations?.[ANNOTATION_AWAKE_HOURS];
  const zone = annotations?.[ANNOTATION_TIMEZONE];
  if (hours === undefined && zone === undefined) return undefined;
  if (isAutoHours(hours)) {
    problems.push(`${ANNOTATION_AWAKE_HOURS} is "${AUTO_AWAKE_HOURS}", which only a baseline (t-env.dev/baseline=true) can follow`);
    return undefined;
  }
  if (hours === undefined || zone === undefined) {
    problems.push(`${hours === undefined ? ANNOTATION_AWAKE_HOURS : ANNOTATION_TIMEZONE} is missing (${hours === undefined ? ANNOTATION_TIMEZONE : ANNOTATION_AWAKE_HOURS} is set)`);
    return undefined;
  }
  try {
    const schedule = schedulePolicy(hours, { prewarmMinutes: annotations?.[ANNOTATION_PREWARM_MINUTES], holidays: annotations?.[ANNOTATION_HOLIDAYS] }, company);
    schedule.isAwake(now, zone); // validates the zone
    return { schedule, zone };
  } catch (error) {
    problems.push(describeError(error));
    return undefined;
  }
}

/**
 * Whether an environment should be awake at `now`: a manual wake (`awake-until` in the future),
 * else a manual sleep (`asleep-until` in the future), else its schedule. Any corrupt annotation
 * makes the state `undefined` with the problem named: nobody guesses.
 */
export function evaluate(annotations: Annotations, now: Date, companyHolidays?: Holidays): EnvironmentVerdict {
  const problems: string[] = [];
  const awakeUntil = parseInstant(annotations, ANNOTATION_AWAKE_UNTIL, problems);
  const asleepUntil = parseInstant(annotations, ANNOTATION_ASLEEP_UNTIL, problems);
  const schedule = readSchedule(annotations, now, problems, companyHolidays);
  const time = now.getTime();
  if (problems.length > 0) return { state: undefined, reason: 'problem', problems, expired: [], next: undefined };
  const expired = [
    ...(awakeUntil !== undefined && awakeUntil.getTime() <= time ? [ANNOTATION_AWAKE_UNTIL] : []),
    ...(asleepUntil !== undefined && asleepUntil.getTime() <= time ? [ANNOTATION_ASLEEP_UNTIL] : []),
  ];
  const woken = awakeUntil !== undefined && time < awakeUntil.getTime() ? awakeUntil : undefined;
  const slept = asleepUntil !== undefined && time < asleepUntil.getTime() ? asleepUntil : undefined;
  if (woken !== undefined) {
    // A manual sleep that outlasts the manual wake takes over when the wake ends.
    const next = slept !== undefined && slept > woken ? { action: 'sleep' as const, at: woken }
      : schedule === undefined ? undefined : effectiveAwake(schedule.schedule, schedule.zone, now, woken).next;
    return { state: 'awake', reason: 'manual-wake', problems, expired, next };
  }
  if (slept !== undefined) {
    let next: Transition | undefined;
    if (schedule !== undefined && slept.toISOString() !== ASLEEP_INDEFINITELY) {
      next = schedule.schedule.isAwake(slept, schedule.zone) ? { action: 'wake', at: slept } : schedule.schedule.next(slept, schedule.zone);
    }
    return { state: 'asleep', reason: 'manual-sleep', problems, expired, next };
  }
  if (schedule === undefined) return { state: undefined, reason: 'no-schedule', problems, expired, next: undefined };
  const awake = schedule.schedule.isAwake(now, schedule.zone);
  return { state: awake ? 'awake' : 'asleep', reason: 'schedule', problems, expired, next: schedule.schedule.next(now, schedule.zone) };
}
