// Sleep schedules: when an environment should be awake, from its `t-env.dev/awake-hours` and
// `t-env.dev/timezone` annotations.
//
// All calendar math goes through `Intl.DateTimeFormat` with an explicit `timeZone`: no offset
// tables, no `Date` local-time methods, so results never depend on the machine's TZ.
//
// Model: every window occurrence is a local wall-clock interval (e.g. Monday 08:00 to Monday
// 20:00) that we turn into an interval of instants by converting both ends with `localToInstant`.
// The environment is awake at an instant if any occurrence contains it. Defining awake-ness on
// instants (not on "what does the wall clock say now") is what makes DST behave:
// - spring forward: a local time inside the gap maps to the first instant after the gap, so a
//   02:30 wake on the day 02:00 jumps to 03:00 happens at 03:00;
// - fall back: a repeated local time maps to its first occurrence, so a window starting at 01:30
//   stays awake through the second 01:00-01:59 instead of flickering off when the clock repeats.
// Because the conversion is monotone, occurrences of consecutive days stay in order, and windows
// that touch (`Mon 08:00-12:00; Mon 12:00-18:00`) merge into one awake stretch with no sleep.

import { InvalidInputError } from './errors.ts';
import { quoteValue } from './sanitize.ts';

/** A scheduled change of state: at `at` the environment goes to sleep or wakes up. */
export interface Transition {
  readonly action: 'sleep' | 'wake';
  readonly at: Date;
}

/** What `t schedule next --json` prints. `at` is `Date.prototype.toISOString()` (UTC, with millis). */
export interface ScheduleStatus {
  readonly awake: boolean;
  readonly next: { readonly action: 'sleep' | 'wake'; readonly at: string } | null;
}

/** What decides awake-ness: awake hours alone (`SleepSchedule`) or with pre-warm and holidays (schedule-policy.ts). */
export interface ScheduleLike {
  isAwake(at: Date, zone: string): boolean;
  next(at: Date, zone: string): Transition | undefined;
}

/** An environment's state once a manual wake (`awakeUntil`) is taken into account. */
export interface EffectiveState {
  readonly awake: boolean;
  /** `manual` only while the manual wake is what keeps the environment awake. */
  readonly reason: 'schedule' | 'manual';
  readonly next: Transition | undefined;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * How many local days `next()` looks ahead before concluding there is no transition at all.
 * Any schedule that is not awake around the clock sleeps at least once a week; the extra week
 * covers a weekly sleep window swallowed by a DST gap (e.g. `Sun 02:00-03:00` asleep, the rest of
 * the week awake: on spring-forward Sunday that gap is empty, the week after it is not).
 */
const SEARCH_DAYS = 16;

/**
 * Longest awake-hours text parsed (an annotation may hold 256 KB, and one developer's annotation
 * must not stall the shared sleeper): longer text is a problem, never parsed.
 */
export const MAX_AWAKE_HOURS_CHARS = 1024;
/** Longest time zone name looked up (IANA names are under 40 characters). */
const MAX_TIME_ZONE_CHARS = 64;

const AWAKE_HOURS_HINT = 'Write windows such as "Mon-Fri 08:00-20:00", several separated by ";", or "always".';
const TIME_ZONE_HINT = 'Use an IANA time zone name such as "Europe/Berlin".';

// Monday is 0, as in the spec's `Mon-Fri`.
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const DAY_INDEX: ReadonlyMap<string, number> = new Map(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].flatMap((full, index) => [
    [full, index],
    [full.slice(0, 3), index],
  ]),
);

/** One `<days> HH:MM-HH:MM` window, times in minutes after local midnight. */
interface AwakeWindow {
  /** Canonical spelling of the day part, e.g. `Mon-Fri` or `Mon,Wed,Fri`. */
  readonly daysText: string;
  /** Bit `1 << weekday` for each day the window starts on. */
  readonly dayMask: number;
  readonly start: number;
  /** 1..1440; `end <= start` means the window ends on the next day. */
  readonly end: number;
}

/** One occurrence of a window, as instants (ms since the epoch); start inclusive, end exclusive. */
interface Span {
  readonly start: number;
  readonly end: number;
}

/** A parsed `t-env.dev/awake-hours` value. Immutable; `parse` memoizes by spec text. */
export class SleepSchedule {
  /** The text as given. */
  readonly spec: string;
  /** `always`: the environment never sleeps. */
  readonly always: boolean;
  private readonly windows: readonly AwakeWindow[];
  /** Windows by the weekday they start on, ordered by start time. */
  private readonly byWeekday: readonly (readonly AwakeWindow[])[];

  private constructor(spec: string, always: boolean, windows: readonly AwakeWindow[]) {
    this.spec = spec;
    this.always = always;
    this.windows = windows;
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    this.byWeekday = DAY_NAMES.map((_, weekday) => sorted.filter((window) => (window.dayMask & (1 << weekday)) !== 0));
  }

  /** Parses an awake-hours spec; throws `InvalidInputError` naming the offending part. */
  static parse(spec: string): SleepSchedule {
    const cached = parsedSpecs.get(spec);
    if (cached !== undefined) return cached;
    if (spec.length > MAX_AWAKE_HOURS_CHARS) throw invalidSpec(spec, `longer than ${MAX_AWAKE_HOURS_CHARS} characters`);
    const segments = spec.split(';').map((segment) => segment.trim()).filter((segment) => segment !== '');
    if (segments.length === 0) throw invalidSpec(spec, 'no windows');
    let schedule: SleepSchedule;
    if (segments.some((segment) => segment.toLowerCase() === 'always')) {
      if (segments.length > 1) throw invalidSpec(spec, '"always" cannot be combined with windows');
      schedule = new SleepSchedule(spec, true, []);
    } else {
      schedule = new SleepSchedule(spec, false, segments.map((segment) => parseWindow(spec, segment)));
    }
    remember(parsedSpecs, spec, schedule);
    return schedule;
  }

  /** Whether the schedule has the environment awake at `at`, evaluated in `zone`. */
  isAwake(at: Date, zone: string): boolean {
    const time = instantOf(at);
    const day = localDay(zone, time); // also validates the zone, even for `always`
    if (this.always) return true;
    // An occurrence lasts at most until the local midnight after the day it starts on, so only
    // windows that started yesterday or today can contain `at`.
    return [day - 1, day].some((d) => this.occurrences(d, zone).some((span) => span.start <= time && time < span.end));
  }

  /**
   * The first change of state after `at`: `sleep` at the end of the awake stretch containing
   * `at`, or `wake` at the start of the next one. `undefined` for `always` and for schedules that
   * never change (awake around the clock).
   */
  next(at: Date, zone: string): Transition | undefined {
    const time = instantOf(at);
    const today = localDay(zone, time);
    if (this.always) return undefined;
    // Walk occurrences in start order, merging those that overlap or touch; the first merged
    // stretch that contains `time` ends in a sleep, the first one after `time` starts with a wake.
    let current: { start: number; end: number } | undefined;
    for (let day = today - 1; day <= today + SEARCH_DAYS; day++) {
      for (const span of this.occurrences(day, zone)) {
        if (current !== undefined && span.start <= current.end) {
          current.end = Math.max(current.end, span.end);
          continue;
        }
        if (current !== undefined && current.start <= time && time < current.end) return { action: 'sleep', at: new Date(current.end) };
        if (span.start > time) return { action: 'wake', at: new Date(span.start) };
        current = { start: span.start, end: span.end };
      }
    }
    return undefined; // awake (or asleep) for the whole search range: never changes
  }

  /** The canonical spelling, e.g. `Mon-Thu 08:00-19:00; Fri 08:00-15:00`. */
  toString(): string {
    if (this.always) return 'always';
    return this.windows.map((window) => `${window.daysText} ${formatMinutes(window.start)}-${formatMinutes(window.end)}`).join('; ');
  }

  /** The non-empty occurrences of windows starting on local day `day` (days since 1970-01-01). */
  private occurrences(day: number, zone: string): Span[] {
    const spans: Span[] = [];
    for (const window of this.byWeekday[weekdayOf(day)] ?? []) {
      const endDay = window.end <= window.start ? day + 1 : day;
      const start = localToInstant(zone, day * DAY + window.start * MINUTE);
      const end = localToInstant(zone, endDay * DAY + window.end * MINUTE);
      // A window lying entirely inside a spring-forward gap collapses to nothing.
      if (start < end) spans.push({ start, end });
    }
    return spans;
  }
}

/**
 * Checks an IANA zone name and returns its canonical spelling (`europe/berlin` → `Europe/Berlin`),
 * or throws `InvalidInputError`.
 */
export function validateTimeZone(zone: string): string {
  const name = zone.trim();
  const resolved = formatterFor(name).resolvedOptions().timeZone;
  // ICU resolves links to CLDR's legacy names (Asia/Kolkata → Asia/Calcutta, Asia/Kathmandu →
  // Asia/Katmandu). Take its spelling only when it names the same identifier, to fix the case;
  // otherwise keep the modern name the user wrote, which Intl accepts just as well.
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

/** The schedule's state at `at` and its next transition: exactly what `t schedule next --json` prints. */
export function scheduleStatus(spec: string | ScheduleLike, zone: string, at: Date): ScheduleStatus {
  const schedule = toSchedule(spec);
  const next = schedule.next(at, zone);
  return {
    awake: schedule.isAwake(at, zone),
    next: next === undefined ? null : { action: next.action, at: next.at.toISOString() },
  };
}

/**
 * The state with a manual wake: awake if the schedule says so or `at < awakeUntil`. While the
 * manual wake lasts, the environment stays awake without a break until `awakeUntil`, so the next
 * transition is a sleep at `awakeUntil` if the schedule is asleep then, else at the end of the
 * scheduled awake stretch that `awakeUntil` falls into.
 */
export function effectiveAwake(spec: string | ScheduleLike, zone: string, at: Date, awakeUntil?: Date): EffectiveState {
  const schedule = toSchedule(spec);
  const scheduled = schedule.isAwake(at, zone);
  const until = awakeUntil === undefined ? undefined : instantOf(awakeUntil);
  if (until === undefined || instantOf(at) >= until) {
    return { awake: scheduled, reason: 'schedule', next: schedule.next(at, zone) };
  }
  const untilDate = new Date(until);
  const next: Transition | undefined = schedule.isAwake(untilDate, zone) ? schedule.next(untilDate, zone) : { action: 'sleep', at: untilDate };
  return { awake: true, reason: scheduled ? 'schedule' : 'manual', next };
}

// ---- parsing ---------------------------------------------------------------------------------

const parsedSpecs = new Map<string, SleepSchedule>();

function toSchedule(spec: string | ScheduleLike): ScheduleLike {
  return typeof spec === 'string' ? SleepSchedule.parse(spec) : spec;
}

/** The spec and the values named in details are quoted cut and sanitized: they come from annotations. */
function invalidSpec(spec: string, detail: string): InvalidInputError {
  return new InvalidInputError(`Invalid awake hours ${quoteValue(spec)}: ${detail}`, AWAKE_HOURS_HINT);
}

const TIME = /^\d{1,2}:\d{2}$/;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';
}

/**
 * Splits `<days> HH:MM-HH:MM` (spaces around "-" allowed) into its parts, walking back from the
 * end once: linear in the text (a backtracking regex such as `^(\S.*?)\s+(\d…)` is quadratic
 * on long runs of spaces). `undefined` when the text does not have that shape.
 */
function splitWindow(text: string): { daysPart: string; startText: string; endText: string } | undefined {
  let i = text.length;
  const token = (): string => {
    const end = i;
    while (i > 0 && end - i <= 5 && /[\d:]/.test(text[i - 1]!)) i--;
    return text.slice(i, end);
  };
  const skipSpaces = (): number => {
    const end = i;
    while (i > 0 && isSpace(text[i - 1])) i--;
    return end - i;
  };
  const endText = token();
  skipSpaces();
  if (text[i - 1] !== '-') return undefined;
  i--;
  skipSpaces();
  const startText = token();
  if (skipSpaces() === 0 || !TIME.test(startText) || !TIME.test(endText)) return undefined;
  const daysPart = text.slice(0, i);
  if (daysPart === '' || isSpace(daysPart[0])) return undefined;
  return { daysPart, startText, endText };
}

function parseWindow(spec: string, text: string): AwakeWindow {
  const parts = splitWindow(text);
  if (parts === undefined) throw invalidSpec(spec, `expected "<days> HH:MM-HH:MM" such as "Mon-Fri 08:00-20:00", got ${quoteValue(text)}`);
  const { daysPart, startText, endText } = parts;
  const { daysText, dayMask } = parseDays(spec, daysPart);
  const start = parseTime(spec, startText, false);
  const end = parseTime(spec, endText, true);
  if (start === end) throw invalidSpec(spec, `window ${quoteValue(text)} is empty: it starts when it ends`);
  // `22:00-00:00` means the same as `22:00-24:00`.
  return { daysText, dayMask, start, end: end === 0 ? 24 * 60 : end };
}

/** `Mon-Fri`, `Sat`, `Mon,Wed,Fri`, `Fri-Mon` (wraps over the weekend); names case-insensitive. */
function parseDays(spec: string, text: string): { daysText: string; dayMask: number } {
  let dayMask = 0;
  const canonical: string[] = [];
  for (const item of text.split(',')) {
    const [firstName = '', lastName, ...rest] = item.split('-').map((name) => name.trim());
    if (firstName === '' || rest.length > 0) throw invalidSpec(spec, `invalid days ${quoteValue(text)}`);
    const first = dayIndex(spec, firstName);
    const last = lastName === undefined ? first : dayIndex(spec, lastName);
    for (let day = first; ; day = (day + 1) % 7) {
      dayMask |= 1 << day;
      if (day === last) break;
    }
    canonical.push(lastName === undefined ? dayName(first) : `${dayName(first)}-${dayName(last)}`);
  }
  return { daysText: canonical.join(','), dayMask };
}

function dayIndex(spec: string, name: string): number {
  const index = DAY_INDEX.get(name.toLowerCase());
  if (index === undefined) throw invalidSpec(spec, `unknown day ${quoteValue(name)}`);
  return index;
}

function dayName(index: number): string {
  return DAY_NAMES[index] ?? '?';
}

/** Minutes after midnight; `24:00` only as an end. */
function parseTime(spec: string, text: string, isEnd: boolean): number {
  const [hours = NaN, minutes = NaN] = text.split(':').map(Number);
  const valid = minutes < 60 && (hours < 24 || (isEnd && hours === 24 && minutes === 0));
  if (!valid) throw invalidSpec(spec, hours === 24 && minutes === 0 ? `a window cannot start at "${text}"` : `invalid time ${quoteValue(text)}`);
  return hours * 60 + minutes;
}

function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

// ---- time zones ------------------------------------------------------------------------------

// One formatter per zone: creating an Intl.DateTimeFormat costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();
// Local→instant conversions per zone. The sleeper asks about the same few schedules for hundreds
// of environments, so the same local boundaries come up again and again.
const instantsByZone = new Map<string, Map<number, number>>();
const CACHE_LIMIT = 4096;

function remember<K, V>(cache: Map<K, V>, key: K, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear(); // crude bound; refilling is cheap
  cache.set(key, value);
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  const cached = formatters.get(zone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat;
  if (zone.length > MAX_TIME_ZONE_CHARS) throw new InvalidInputError(`Unknown time zone ${quoteValue(zone)}`, TIME_ZONE_HINT);
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      // h23: midnight is 00, never 24 (some ICU versions print 24:00 with hour12: false).
      hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch (error) {
    if (error instanceof RangeError) throw new InvalidInputError(`Unknown time zone ${quoteValue(zone)}`, TIME_ZONE_HINT);
    throw error;
  }
  remember(formatters, zone, formatter);
  return formatter;
}

function instantOf(date: Date): number {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError('Invalid Date');
  return time;
}

/** Local wall-clock time minus UTC at instant `time`, in ms (Berlin in summer: +7 200 000). */
function offsetAt(zone: string, time: number): number {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(zone).formatToParts(time)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  // The formatter shows whole seconds, so compare with the instant truncated to its second.
  return wall - Math.floor(time / 1000) * 1000;
}

/** The local calendar day of instant `time`, as days since 1970-01-01. */
function localDay(zone: string, time: number): number {
  return Math.floor((time + offsetAt(zone, time)) / DAY);
}

/** 0 = Monday … 6 = Sunday for a day number (1970-01-01 was a Thursday). */
function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/**
 * The instant at which local wall-clock time `local` (ms since 1970-01-01 as if the zone were
 * UTC) happens: its first occurrence if the clock shows it twice (fall back), the first instant
 * after the gap if the clock skips it (spring forward).
 */
function localToInstant(zone: string, local: number): number {
  let cache = instantsByZone.get(zone);
  if (cache === undefined) {
    cache = new Map();
    instantsByZone.set(zone, cache);
  }
  const cached = cache.get(local);
  if (cached !== undefined) return cached;
  const instant = convertLocal(zone, local);
  remember(cache, local, instant);
  return instant;
}

function convertLocal(zone: string, local: number): number {
  // The offsets a day before and a day after bracket any single transition near `local` (zones
  // do not change offset twice within two days). Each offset gives one candidate instant; a
  // candidate is real if the zone has that very offset at that instant.
  const offsets = [offsetAt(zone, local - DAY), offsetAt(zone, local + DAY)];
  const candidates = offsets.map((offset) => local - offset).sort((a, b) => a - b);
  // Both real: the local time repeats; the smaller instant is its first occurrence.
  for (const candidate of candidates) {
    if (offsetAt(zone, candidate) === local - candidate) return candidate;
  }
  // Neither is real: `local` lies in a gap. Find the first instant whose wall clock is past
  // `local` (the transition itself) by bisecting between the candidates, to the second.
  let low = Math.floor((candidates[0] ?? local) / 1000); // wall clock before `local`
  let high = Math.ceil((candidates[1] ?? local) / 1000); // wall clock past `local`
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (middle * 1000 + offsetAt(zone, middle * 1000) > local) high = middle;
    else low = middle;
  }
  return high * 1000;
}

// ---- local days (the sleep ledger's day buckets) ------------------------------------------------

/** The local calendar day of instant `at` (ms) in `zone`, as days since 1970-01-01. */
export function localDayOf(at: number, zone: string): number {
  return localDay(zone, at);
}

/** The first instant of local day `day` in `zone`: its midnight, or the end of a DST gap at midnight. */
export function startOfLocalDay(day: number, zone: string): number {
  return localToInstant(zone, day * DAY);
}

/** `2026-12-24` for a day number. */
export function dayText(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** The day number of `2026-12-24`, or `undefined` if the text is not such a date. */
export function dayOfText(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const time = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(time) || dayText(time / DAY) !== text ? undefined : time / DAY;
}
