// When a baseline sleeps, decided once for the sleeper, the manual wake and the views.
//
// Contract (namespace labelled `t-env.dev/baseline=true`):
// - `t-env.dev/awake-hours: auto`: awake while any environment created from it (annotation
//   `t-env.dev/baseline: <name>`: an overlay or a full copy, as issue #14 words it) should be
//   awake by its own verdict (environment-verdict.ts), asleep otherwise: none, or all asleep
//   (nobody working means nothing to serve). A full copy rarely calls its baseline, but it is
//   somebody working from it (to diff, refresh or add an overlay beside it), so it counts too.
//   An environment whose own verdict is undecided (no schedule, which the sleeper leaves as it
//   is, or corrupt annotations, reported on it) counts as awake: it may be in use, and a
//   baseline kept awake costs money where one asleep breaks someone's work.
//   `t-env.dev/timezone` is optional with `auto` (it only sets the ledger's days); prewarm and
//   holidays mean nothing with it and are not read.
// - The baseline's own markers (`awake-until`, `asleep-until`) win over `auto`, as they win over a
//   schedule; a manual Wake of an environment made from it writes none on the baseline (it stays
//   awake because the environment does), so when that environment sleeps, so does its baseline.
// - Any other awake hours: the baseline follows them exactly like an environment. None: left alone.
// Those environments are the sleeper's own list: no request per baseline.
import { ANNOTATION_BASELINE, LABEL_BASELINE } from './baseline-copy.ts';
import { ANNOTATION_AWAKE_HOURS, ANNOTATION_SLEEP_LEDGER, ANNOTATION_TIMEZONE, checkEnvironmentName, isProtectedNamespace, LABEL_ENVIRONMENT } from './environment.ts';
import type { NamespaceLike } from './environment.ts';
import { evaluate, isAutoHours } from './environment-verdict.ts';
import type { Annotations, EnvironmentVerdict, SleepTarget } from './environment-verdict.ts';
import { describeError } from './errors.ts';
import { shortText } from './sanitize.ts';
import type { Holidays } from './schedule-policy.ts';
import { validateTimeZone } from './schedule.ts';
import { parseLedger } from './sleep-ledger.ts';
import type { LedgerCause } from './sleep-ledger.ts';

/** What the sleeper wants of a namespace, and the cause its ledger records. */
export interface SleepDecision {
  readonly verdict: EnvironmentVerdict;
  readonly cause: LedgerCause;
  /** A baseline whose state follows other namespaces (`auto`): any change seen mid-pass defers it. */
  readonly follows: boolean;
}

/** An environment's standing as the rule needs it: its name and its own verdict. */
export interface FollowerStanding {
  readonly name: string;
  readonly state: SleepTarget | undefined;
  readonly reason: EnvironmentVerdict['reason'];
}

/** Labelled `t-env.dev/baseline=true`. */
export function isBaselineNamespace(ns: NamespaceLike): boolean {
  return ns.metadata?.labels?.[LABEL_BASELINE] === 'true';
}

/** Whether a baseline's awake hours are `auto`. */
export function followsEnvironments(annotations: Annotations): boolean {
  return isAutoHours(annotations?.[ANNOTATION_AWAKE_HOURS]);
}

/** The baseline an environment keeps awake: its `t-env.dev/baseline` (an overlay's or a full copy's). */
export function baselineReachedBy(annotations: Annotations): string | undefined {
  const baseline = annotations?.[ANNOTATION_BASELINE];
  // Written by whoever may edit the environment: a name that is no namespace name reaches no baseline (and no field selector or message).
  return baseline && checkEnvironmentName(baseline) === undefined ? baseline : undefined;
}

/** The ledger's cause for an environment's verdict: the schedule, or a person's marker. */
export function ledgerCause(verdict: EnvironmentVerdict): LedgerCause {
  return verdict.reason === 'schedule' ? 'schedule' : 'manual';
}

/**
 * What a baseline should be at `now`, given the verdicts of the environments made from it (see
 * the contract above). With
 * `auto`, `reason` is `schedule` (the rule decides, as a schedule would), `next` is unknown (it
 * changes when one of them does) and the cause is `manual` only while every awake one is awake
 * by a person's wake.
 */
export function baselineDecision(annotations: Annotations, followers: readonly FollowerStanding[], now: Date, company?: Holidays): SleepDecision {
  if (!followsEnvironments(annotations)) {
    const verdict = evaluate(annotations, now, company);
    return { verdict, cause: ledgerCause(verdict), follows: false };
  }
  const problems: string[] = [];
  const zone = annotations?.[ANNOTATION_TIMEZONE];
  if (zone !== undefined) {
    try {
      validateTimeZone(zone);
    } catch (error) {
      problems.push(describeError(error));
    }
  }
  // Its own markers, read as an environment's without a schedule.
  const { [ANNOTATION_AWAKE_HOURS]: _hours, [ANNOTATION_TIMEZONE]: _zone, ...markers } = annotations ?? {};
  const own = evaluate(markers, now);
  problems.push(...own.problems);
  if (problems.length > 0) return { verdict: { state: undefined, reason: 'problem', problems, expired: [], next: undefined }, cause: 'schedule', follows: true };
  if (own.state !== undefined) return { verdict: own, cause: ledgerCause(own), follows: true };
  const awake = followers.filter((o) => o.state !== 'asleep');
  const cause: LedgerCause = awake.length > 0 && awake.every((o) => o.reason === 'manual-wake') ? 'manual' : 'schedule';
  return { verdict: { state: awake.length > 0 ? 'awake' : 'asleep', reason: 'schedule', problems: [], expired: own.expired, next: undefined }, cause, follows: true };
}

/**
 * The decisions of one sleeper pass: environments by their own verdict, baselines by
 * `baselineDecision` over the environments made from each (the pass's own list). The function
 * returned also decides again on a namespace re-read during the pass.
 */
export function sleepDecisions(environments: readonly NamespaceLike[], now: Date, company?: Holidays): (ns: NamespaceLike) => SleepDecision {
  const overlays = new Map<string, FollowerStanding[]>();
  for (const env of environments) {
    const name = env.metadata?.name;
    const baseline = baselineReachedBy(env.metadata?.annotations);
    if (!name || baseline === undefined || env.metadata?.deletionTimestamp) continue;
    const verdict = evaluate(env.metadata?.annotations, now, company);
    overlays.set(baseline, [...(overlays.get(baseline) ?? []), { name, state: verdict.state, reason: verdict.reason }]);
  }
  return (ns) => {
    if (isBaselineNamespace(ns)) return baselineDecision(ns.metadata?.annotations, overlays.get(ns.metadata?.name ?? '') ?? [], now, company);
    const verdict = evaluate(ns.metadata?.annotations, now, company);
    return { verdict, cause: ledgerCause(verdict), follows: false };
  };
}

/** Whether the sleeper acts on a namespace at all: an environment, or a baseline with awake hours (never a protected one). */
export function isSleeperManaged(ns: NamespaceLike, own?: string): boolean {
  const name = ns.metadata?.name ?? '';
  if (!name || isProtectedNamespace(name, own)) return false;
  return ns.metadata?.labels?.[LABEL_ENVIRONMENT] === 'true' || (isBaselineNamespace(ns) && ns.metadata?.annotations?.[ANNOTATION_AWAKE_HOURS] !== undefined);
}

/**
 * Whether a manual wake of an environment made from `baseline` must wake it too: an `auto`
 * baseline that the woken environment keeps awake (its own markers do not say otherwise) and whose ledger does not already
 * say awake.
 */
export function baselineToWake(baseline: NamespaceLike, environment: string, now: Date): boolean {
  const annotations = baseline.metadata?.annotations;
  if (!isBaselineNamespace(baseline) || isProtectedNamespace(baseline.metadata?.name ?? '') || !followsEnvironments(annotations)) return false;
  const decision = baselineDecision(annotations, [{ name: environment, state: 'awake', reason: 'manual-wake' }], now);
  return decision.verdict.state === 'awake' && parseLedger(annotations?.[ANNOTATION_SLEEP_LEDGER]).ledger?.state !== 'awake';
}

/** "awake while an environment made from main is awake" for a baseline whose awake hours are `auto`; undefined for any other. */
export function baselineSleepText(name: string, awakeHours: string | undefined): string | undefined {
  return isAutoHours(awakeHours) ? `awake while an environment made from ${shortText(name, 40)} is awake` : undefined;
}
