// The sleep ledger: what an environment did, kept on its namespace so that anyone (the sleeper,
// `t report`, the tree) can say how long it slept and why, without a database.
//
// Annotation contract (namespace): `t-env.dev/sleep-ledger` is compact JSON
//   {"v":1,"state":"asleep","cause":"schedule","since":"2026-12-01T19:00:00.000Z",
//    "days":{"2026-12-01":[a_s,a_m,a_d,w_s,w_m,w_d,n_s,n_m,n_d],…}}
// - `state` / `cause` / `since`: the current state, who or what put it there (`schedule`, `manual`
//   for Sleep/Wake/Keep Awake, `dev` for Start Dev's wake) and the instant of the last record.
// - `days`: per local day in the environment's zone (`t-env.dev/timezone`, UTC without one),
//   seconds asleep by cause (a_*), seconds awake by cause (w_*), and wakes by trigger (n_*), for the
//   last 35 days; older days are dropped, so the annotation stays under ~2.5 KB.
// Time is accrued only up to the moment of a record: every record moves `since` forward to its
// instant, so a record written twice (a retry, a pass after a crash) adds nothing the second time,
// and a crash after a record loses at most the time since the previous one. A ledger that cannot
// be read is reported and started afresh, never guessed at.
import { ANNOTATION_SLEEP_LEDGER, ANNOTATION_TIMEZONE } from './environment.ts';
import { quoteValue } from './sanitize.ts';
import { dayOfText, dayText, localDayOf, startOfLocalDay, validateTimeZone } from './schedule.ts';

export { ANNOTATION_SLEEP_LEDGER };
/** Days of history kept (today included). */
export const LEDGER_DAYS = 35;
/** Longest ledger text parsed: 35 full days take ~2.5 KB; anything far longer is not ours. */
export const MAX_LEDGER_CHARS = 8192;

export type LedgerState = 'asleep' | 'awake';
export type LedgerCause = 'schedule' | 'manual' | 'dev';
export const LEDGER_CAUSES: readonly LedgerCause[] = ['schedule', 'manual', 'dev'];

/** Seconds (or counts) per cause. */
export type ByCause = Record<LedgerCause, number>;

export interface LedgerDay {
  readonly asleep: ByCause;
  readonly awake: ByCause;
  /** Wakes by trigger. */
  readonly wakes: ByCause;
}

export interface SleepLedger {
  readonly state: LedgerState;
  readonly cause: LedgerCause;
  /** The instant (ms) up to which time has been accrued into `days`. */
  readonly since: number;
  /** Day number (days since 1970-01-01, local to the zone) → figures. */
  readonly days: ReadonlyMap<number, LedgerDay>;
}

export interface LedgerRead {
  /** `undefined`: no ledger yet, or a corrupt one (then `problem` says why). */
  readonly ledger: SleepLedger | undefined;
  readonly problem: string | undefined;
}

/** A transition to record: the environment is now `state`, because of `cause`, since `at`. */
export interface LedgerTransition {
  readonly state: LedgerState;
  readonly cause: LedgerCause;
  readonly at: Date;
}

const zero = (): ByCause => ({ schedule: 0, manual: 0, dev: 0 });
const emptyDay = (): LedgerDay => ({ asleep: zero(), awake: zero(), wakes: zero() });
const SECONDS_PER_DAY = 86_400;
// A DST day has 23 or 25 hours; one second of slack for rounding.
const MAX_DAY_SECONDS = 25 * 3600 + 1;
const MAX_WAKES = 100_000;

/** Reads a ledger annotation; bounded, strict, and never guessing: anything odd is a problem. */
export function parseLedger(text: string | undefined): LedgerRead {
  if (text === undefined) return { ledger: undefined, problem: undefined };
  const corrupt = (why: string): LedgerRead => ({ ledger: undefined, problem: `${ANNOTATION_SLEEP_LEDGER} is unreadable (${why}); it starts afresh` });
  if (text.length > MAX_LEDGER_CHARS) return corrupt(`longer than ${MAX_LEDGER_CHARS} characters`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return corrupt(`not JSON: ${quoteValue(text)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return corrupt('not a JSON object');
  const { v, state, cause, since, days } = raw as Record<string, unknown>;
  if (v !== 1) return corrupt(`unknown version ${quoteValue(String(v))}`);
  if (state !== 'asleep' && state !== 'awake') return corrupt(`state ${quoteValue(String(state))}`);
  if (typeof cause !== 'string' || !(LEDGER_CAUSES as readonly string[]).includes(cause)) return corrupt(`cause ${quoteValue(String(cause))}`);
  const sinceTime = typeof since === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(since) ? Date.parse(since) : NaN;
  if (Number.isNaN(sinceTime)) return corrupt(`since ${quoteValue(String(since))}`);
  if (typeof days !== 'object' || days === null || Array.isArray(days)) return corrupt('days is not an object');
  const parsed = new Map<number, LedgerDay>();
  for (const [key, value] of Object.entries(days as Record<string, unknown>)) {
    const day = dayOfText(key);
    if (day === undefined) return corrupt(`day ${quoteValue(key)}`);
    if (!Array.isArray(value) || value.length !== 9 || !value.every((n, i) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= (i < 6 ? MAX_DAY_SECONDS : MAX_WAKES))) {
      return corrupt(`day ${key} is not nine counts`);
    }
    const n = value as number[];
    parsed.set(day, {
      asleep: { schedule: n[0]!, manual: n[1]!, dev: n[2]! },
      awake: { schedule: n[3]!, manual: n[4]!, dev: n[5]! },
      wakes: { schedule: n[6]!, manual: n[7]!, dev: n[8]! },
    });
  }
  if (parsed.size > LEDGER_DAYS + 1) return corrupt(`${parsed.size} days, more than ${LEDGER_DAYS}`);
  return { ledger: { state, cause: cause as LedgerCause, since: sinceTime, days: parsed }, problem: undefined };
}

/** The annotation text of a ledger (days in date order). */
export function serializeLedger(ledger: SleepLedger): string {
  const days: Record<string, number[]> = {};
  for (const day of [...ledger.days.keys()].sort((a, b) => a - b)) {
    const d = ledger.days.get(day)!;
    days[dayText(day)] = [...LEDGER_CAUSES.map((c) => d.asleep[c]), ...LEDGER_CAUSES.map((c) => d.awake[c]), ...LEDGER_CAUSES.map((c) => d.wakes[c])];
  }
  return JSON.stringify({ v: 1, state: ledger.state, cause: ledger.cause, since: new Date(ledger.since).toISOString(), days });
}

/**
 * The ledger with the time from `since` to `until` accrued to its current state and cause, split
 * at local midnights of `zone`, and days older than `LEDGER_DAYS` dropped. `until` at or before
 * `since` (a clock behind the last record) accrues nothing and never moves `since` back.
 */
export function accrue(ledger: SleepLedger, until: Date, zone: string): SleepLedger {
  const end = until.getTime();
  const lastDay = localDayOf(Math.max(end, ledger.since), zone);
  const firstKept = lastDay - LEDGER_DAYS + 1;
  const days = new Map<number, LedgerDay>();
  for (const [day, figures] of ledger.days) {
    if (day >= firstKept) days.set(day, { asleep: { ...figures.asleep }, awake: { ...figures.awake }, wakes: { ...figures.wakes } });
  }
  if (end <= ledger.since) return { ...ledger, days };
  // Time before the kept days is dropped anyway: start there, so a years-old `since` costs nothing.
  let from = Math.max(ledger.since, startOfLocalDay(firstKept, zone));
  while (from < end) {
    const day = localDayOf(from, zone);
    const to = Math.min(end, startOfLocalDay(day + 1, zone));
    const figures = days.get(day) ?? emptyDay();
    days.set(day, figures);
    const bucket = ledger.state === 'asleep' ? figures.asleep : figures.awake;
    bucket[ledger.cause] = Math.min(SECONDS_PER_DAY + 3600, bucket[ledger.cause] + Math.round((to - from) / 1000));
    from = to;
  }
  return { ...ledger, since: end, days };
}

/**
 * Whether a ledger already says what a transition would record. A manual wake keeps the cause
 * the person gave (`dev` for Start Dev): the sleeper only sees "manual" in the markers.
 */
export function ledgerAgrees(ledger: SleepLedger | undefined, state: LedgerState, cause: LedgerCause): boolean {
  if (ledger === undefined || ledger.state !== state) return false;
  return ledger.cause === cause || (cause === 'manual' && ledger.cause === 'dev');
}

/**
 * Records a transition: accrues up to `at`, then takes the new state and cause, counting a wake
 * when the state goes from asleep to awake. `undefined` when the ledger already agrees (nothing to
 * write: a steady pass adds no patch). Without a ledger, one starts at `at` (no wake counted: we
 * do not know what it was before).
 */
export function recordTransition(ledger: SleepLedger | undefined, transition: LedgerTransition, zone: string): SleepLedger | undefined {
  if (ledgerAgrees(ledger, transition.state, transition.cause)) return undefined;
  const at = transition.at.getTime();
  if (ledger === undefined) return accrue({ state: transition.state, cause: transition.cause, since: at, days: new Map() }, transition.at, zone);
  const accrued = accrue(ledger, transition.at, zone);
  const days = new Map(accrued.days);
  if (ledger.state === 'asleep' && transition.state === 'awake') {
    const day = localDayOf(Math.max(at, ledger.since), zone);
    const figures = days.get(day) ?? emptyDay();
    figures.wakes[transition.cause] = Math.min(MAX_WAKES, figures.wakes[transition.cause] + 1);
    days.set(day, figures);
  }
  return { state: transition.state, cause: transition.cause, since: accrued.since, days };
}

/** Totals over a range of local days. */
export interface LedgerTotals {
  /** Seconds. */
  readonly asleep: ByCause;
  /** Seconds. */
  readonly awake: ByCause;
  readonly wakes: ByCause;
}

/**
 * The ledger's figures for local days `fromDay`..`toDay` (inclusive), with the time since the last
 * record up to `now` counted as still in the current state (not written anywhere: reading is free).
 */
export function ledgerTotals(ledger: SleepLedger, fromDay: number, toDay: number, now: Date, zone: string): LedgerTotals {
  const current = accrue(ledger, now, zone);
  const totals = { asleep: zero(), awake: zero(), wakes: zero() };
  for (const [day, figures] of current.days) {
    if (day < fromDay || day > toDay) continue;
    for (const cause of LEDGER_CAUSES) {
      totals.asleep[cause] += figures.asleep[cause];
      totals.awake[cause] += figures.awake[cause];
      totals.wakes[cause] += figures.wakes[cause];
    }
  }
  return totals;
}

/** A ledger as read at an instant (ms) in its zone; `undefined`: none yet (or a corrupt one). */
export interface LedgerReading {
  readonly ledger: SleepLedger | undefined;
  readonly at: number;
  readonly zone: string;
}

/** Seconds asleep recorded on the ledger's days from `fromDay` on, counted up to `at`. */
function asleepFrom(reading: LedgerReading, fromDay: number): number {
  if (reading.ledger === undefined) return 0;
  const totals = ledgerTotals(reading.ledger, fromDay, Number.MAX_SAFE_INTEGER, new Date(reading.at), reading.zone);
  return LEDGER_CAUSES.reduce((sum, cause) => sum + totals.asleep[cause], 0);
}

/**
 * Seconds asleep between two readings of one environment's ledger (the sleeper's metrics, read at
 * each pass): the asleep total of the newer reading's kept days, then and now, so days that drop
 * out of the ledger in between cancel out and transitions someone else recorded in between count.
 * A ledger that did not exist then starts at zero (it was written since); none now, a zone that
 * changed or a clock that went back give 0. Never more than the time between the readings.
 */
export function asleepSecondsBetween(previous: LedgerReading, current: LedgerReading): number {
  if (current.ledger === undefined || previous.zone !== current.zone || current.at <= previous.at) return 0;
  const fromDay = localDayOf(current.at, current.zone) - LEDGER_DAYS + 1;
  const delta = asleepFrom(current, fromDay) - asleepFrom(previous, fromDay);
  return Math.min(Math.max(0, delta), (current.at - previous.at) / 1000);
}

/** Who or what made a transition, for its Event. */
export interface TransitionActor {
  /** The API-server username, when known. */
  readonly user?: string | undefined;
  /** The front end: `VS Code`, `the CLI`, `Start Dev`, `MCP`. */
  readonly via?: string | undefined;
}

/** "Woken by alice from VS Code", "Slept by schedule", "Woken by keep-awake". Callers sanitize. */
export function transitionMessage(state: LedgerState, cause: LedgerCause, actor?: TransitionActor): string {
  const verb = state === 'asleep' ? 'Slept' : 'Woken';
  if (actor?.user === undefined && actor?.via === undefined) {
    // The sleeper acting on a marker someone set earlier (Keep Awake's awake-until, say).
    const what = cause === 'schedule' ? 'schedule' : cause === 'dev' ? 'Start Dev' : state === 'awake' ? 'Keep Awake' : 'a manual sleep';
    return `${verb} by ${what}`;
  }
  return `${verb} by ${actor.user ?? 'someone'}${actor.via === undefined ? '' : ` from ${actor.via}`}`;
}

type Annotations = Readonly<Record<string, string>> | undefined;

/** The zone a namespace's ledger days are counted in: its `t-env.dev/timezone`, UTC if it has none or a bad one. */
export function ledgerZone(zone: string | undefined): string {
  if (zone === undefined) return 'UTC';
  const known = zones.get(zone);
  if (known !== undefined) return known;
  let resolved = 'UTC';
  try {
    const valid = validateTimeZone(zone);
    localDayOf(0, valid); // throws for a name Intl does not know
    resolved = valid;
  } catch {
    // An unknown zone is the schedule's problem to report; the ledger counts days in UTC.
  }
  if (zones.size >= 1024) zones.clear(); // bounded: zone names come from annotations
  zones.set(zone, resolved);
  return resolved;
}

const zones = new Map<string, string>();

/** What recording a transition on a namespace writes. */
export interface LedgerUpdate {
  /** The new annotation text; `undefined` when the ledger already agrees (write nothing). */
  readonly value: string | undefined;
  /** The state before, when the ledger knew it (an Event is due when it differs). */
  readonly previous: LedgerState | undefined;
  /** A corrupt ledger that this update starts afresh. */
  readonly problem: string | undefined;
}

/** Records `transition` on a namespace's annotations (see `recordTransition`). */
export function ledgerUpdate(annotations: Annotations, transition: LedgerTransition): LedgerUpdate {
  const read = parseLedger(annotations?.[ANNOTATION_SLEEP_LEDGER]);
  const next = recordTransition(read.ledger, transition, ledgerZone(annotations?.[ANNOTATION_TIMEZONE]));
  return { value: next === undefined ? undefined : serializeLedger(next), previous: read.ledger?.state, problem: read.problem };
}
