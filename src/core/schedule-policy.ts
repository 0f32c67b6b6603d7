// Pre-warm and holidays on top of awake hours (schedule.ts), still pure and DST-correct.
//
// Annotation contract (namespace):
// - `t-env.dev/prewarm-minutes` (0-240): wake that many minutes (of real time) before every awake
//   stretch starts, so pods are ready when the day begins. Sleep times do not move.
// - `t-env.dev/holidays`: dates `2026-12-24,2026-12-25` and inclusive ranges
//   `2026-12-24..2027-01-01`, in the environment's zone: asleep from that local midnight to the
//   next, whatever the awake hours say, pre-warm included. The sleeper adds the company's list
//   from a ConfigMap (`--holidays-configmap`).
//
// Model: awake at `t` iff `t` is not on a local holiday and some awake stretch [s, e) of the
// schedule has s − prewarm ≤ t < e. State changes only at a schedule transition (wakes moved
// earlier by the pre-warm) or at a holiday's first or last midnight, so `next` walks those
// instants in order and returns the first at which the state differs.
import { InvalidInputError } from './errors.ts';
import { quoteValue } from './sanitize.ts';
import { dayOfText, localDayOf, SleepSchedule, startOfLocalDay } from './schedule.ts';
import type { ScheduleLike, Transition } from './schedule.ts';

export const ANNOTATION_PREWARM_MINUTES = 't-env.dev/prewarm-minutes';
export const ANNOTATION_HOLIDAYS = 't-env.dev/holidays';
export const MAX_PREWARM_MINUTES = 240;
/** Longest holiday list parsed (a few years of company holidays fit easily). */
export const MAX_HOLIDAYS_CHARS = 4096;
/** Longest single range, so one typo (`2026..2062`) cannot make every `next` walk decades. */
const MAX_RANGE_DAYS = 62;
/** Instants `next` looks at before concluding nothing changes (a year of twice-daily transitions). */
const MAX_STEPS = 1000;

const HOLIDAYS_HINT = 'Write dates such as "2026-12-24,2026-12-25" or ranges such as "2026-12-24..2027-01-01".';

/** A set of local days (days since 1970-01-01) as sorted, merged inclusive ranges. */
export class Holidays {
  static readonly none = new Holidays([]);
  readonly ranges: readonly (readonly [number, number])[];

  private constructor(ranges: readonly (readonly [number, number])[]) {
    this.ranges = ranges;
  }

  /** Parses `2026-12-24,2026-12-25..2026-12-31`; throws `InvalidInputError` naming the bad part. */
  static parse(text: string): Holidays {
    if (text.length > MAX_HOLIDAYS_CHARS) throw new InvalidInputError(`Invalid holidays: longer than ${MAX_HOLIDAYS_CHARS} characters.`, HOLIDAYS_HINT);
    const ranges: [number, number][] = [];
    for (const item of text.split(/[,;\s]+/).filter((part) => part !== '')) {
      const [first = '', last, ...rest] = item.split('..');
      const from = dayOfText(first);
      const to = last === undefined ? from : dayOfText(last);
      if (from === undefined || to === undefined || rest.length > 0) throw new InvalidInputError(`Invalid holiday ${quoteValue(item)}.`, HOLIDAYS_HINT);
      if (to < from) throw new InvalidInputError(`Invalid holiday range ${quoteValue(item)}: it ends before it starts.`, HOLIDAYS_HINT);
      if (to - from >= MAX_RANGE_DAYS) throw new InvalidInputError(`Invalid holiday range ${quoteValue(item)}: longer than ${MAX_RANGE_DAYS} days.`, HOLIDAYS_HINT);
      ranges.push([from, to]);
    }
    return Holidays.of(ranges);
  }

  /** The union of several lists (the namespace's and the company's). */
  static union(...lists: readonly Holidays[]): Holidays {
    return Holidays.of(lists.flatMap((list) => list.ranges));
  }

  private static of(ranges: readonly (readonly [number, number])[]): Holidays {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [from, to] of sorted) {
      const last = merged.at(-1);
      if (last !== undefined && from <= last[1] + 1) last[1] = Math.max(last[1], to);
      else merged.push([from, to]);
    }
    return new Holidays(merged);
  }

  has(day: number): boolean {
    return this.ranges.some(([from, to]) => from <= day && day <= to);
  }

  /** The first holiday boundary (a holiday's first midnight or the midnight after its last day) after `time`. */
  nextBoundary(time: number, zone: string): number | undefined {
    for (const [from, to] of this.ranges) {
      for (const boundary of [startOfLocalDay(from, zone), startOfLocalDay(to + 1, zone)]) if (boundary > time) return boundary;
    }
    return undefined;
  }

  toString(): string {
    const text = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);
    return this.ranges.map(([from, to]) => (from === to ? text(from) : `${text(from)}..${text(to)}`)).join(',');
  }
}

/** Checks a pre-warm in minutes (annotation text or flag): a whole number from 0 to 240. */
export function parsePrewarmMinutes(text: string): number {
  if (!/^\d{1,3}$/.test(text.trim()) || Number(text) > MAX_PREWARM_MINUTES) {
    throw new InvalidInputError(`Invalid pre-warm ${quoteValue(text)}: expected whole minutes from 0 to ${MAX_PREWARM_MINUTES}.`, 'For example 15.');
  }
  return Number(text);
}

/** Awake hours with pre-warm and holidays; answers like `SleepSchedule` (same zone argument). */
export class SchedulePolicy {
  readonly schedule: SleepSchedule;
  readonly prewarmMinutes: number;
  readonly holidays: Holidays;
  private readonly prewarmMs: number;

  constructor(schedule: SleepSchedule, options: { prewarmMinutes?: number | undefined; holidays?: Holidays | undefined } = {}) {
    this.schedule = schedule;
    this.prewarmMinutes = options.prewarmMinutes ?? 0;
    this.holidays = options.holidays ?? Holidays.none;
    this.prewarmMs = this.prewarmMinutes * 60_000;
  }

  /** Whether the environment should be awake at `at` (holidays and pre-warm in `zone`). */
  isAwake(at: Date, zone: string): boolean {
    const time = at.getTime();
    if (this.holidays.has(localDayOf(time, zone))) return false;
    if (this.schedule.isAwake(at, zone)) return true;
    if (this.prewarmMs === 0) return false;
    const next = this.schedule.next(at, zone);
    return next?.action === 'wake' && next.at.getTime() - this.prewarmMs <= time;
  }

  /** The first change of state after `at`, or `undefined` if none within a year of transitions. */
  next(at: Date, zone: string): Transition | undefined {
    const awake = this.isAwake(at, zone);
    let time = at.getTime();
    for (let step = 0; step < MAX_STEPS; step++) {
      const candidates = [this.nextScheduleEvent(time, zone), this.holidays.nextBoundary(time, zone)].filter((c): c is number => c !== undefined);
      if (candidates.length === 0) return undefined;
      time = Math.min(...candidates);
      const date = new Date(time);
      if (this.isAwake(date, zone) !== awake) return { action: awake ? 'sleep' : 'wake', at: date };
    }
    return undefined;
  }

  /** The next instant after `time` at which the schedule, with wakes moved earlier by the pre-warm, may change. */
  private nextScheduleEvent(time: number, zone: string): number | undefined {
    let next = this.schedule.next(new Date(time), zone);
    if (next?.action === 'wake' && next.at.getTime() - this.prewarmMs <= time) next = this.schedule.next(next.at, zone); // already pre-warming
    if (next === undefined) return undefined;
    return next.action === 'wake' ? next.at.getTime() - this.prewarmMs : next.at.getTime();
  }
}

/** The key of the company holidays ConfigMap (`t sleeper --holidays-configmap ns/name`) that holds the list. */
export const COMPANY_HOLIDAYS_KEY = 'holidays';

/** The company holidays in a ConfigMap's data; throws `InvalidInputError` naming the ConfigMap. */
export function companyHolidays(data: Readonly<Record<string, string>>, where: string): Holidays {
  const text = data[COMPANY_HOLIDAYS_KEY];
  if (text === undefined) throw new InvalidInputError(`The ConfigMap ${where} has no "${COMPANY_HOLIDAYS_KEY}" key.`, `Put the list under "${COMPANY_HOLIDAYS_KEY}", e.g. "2026-12-24..2026-12-26".`);
  return named(`ConfigMap ${where}`, () => Holidays.parse(text));
}

/** A namespace's pre-warm and holiday annotations, as text (either may be absent). */
export interface PolicyAnnotations {
  readonly prewarmMinutes?: string | undefined;
  readonly holidays?: string | undefined;
}

/**
 * Awake hours with the namespace's pre-warm and holidays and the company's holidays; the plain
 * schedule when there are none. Throws `InvalidInputError` naming the annotation that is wrong.
 */
export function schedulePolicy(spec: string, annotations: PolicyAnnotations, company: Holidays = Holidays.none): ScheduleLike {
  const schedule = SleepSchedule.parse(spec);
  const prewarmMinutes = annotations.prewarmMinutes === undefined ? 0 : named(ANNOTATION_PREWARM_MINUTES, () => parsePrewarmMinutes(annotations.prewarmMinutes!));
  const own = annotations.holidays === undefined ? Holidays.none : named(ANNOTATION_HOLIDAYS, () => Holidays.parse(annotations.holidays!));
  const holidays = Holidays.union(own, company);
  if (prewarmMinutes === 0 && holidays.ranges.length === 0) return schedule;
  return new SchedulePolicy(schedule, { prewarmMinutes, holidays });
}

function named<T>(annotation: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError(`${annotation}: ${error.message}`, error.hint);
    throw error;
  }
}
