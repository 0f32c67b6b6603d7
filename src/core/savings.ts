// The savings arithmetic behind `t report`: from each environment's sleep ledger and the resource
// requests of its sleeping workloads, hours awake and asleep (by cause), wakes by trigger, and the
// requests that sleep took off the cluster. Avoided core-hours = Σ CPU requests × replicas that
// sleep × hours asleep (GiB-hours alike for memory); avoided cost = those × the prices given.
// These are requests, not measured usage, and prices, not bills: the money is only saved when a
// cluster autoscaler removes the nodes the requests would have kept.
//
// Replicas that sleep: a workload's recorded count (`t-env.dev/replicas-before-sleep`) when it is
// asleep, else its current count: what it would sleep with. Workloads the sleeper leaves alone
// (`t-env.dev/sleep: never`, owned by another controller) and CronJobs (their pods come and go)
// count nothing. `potential` is the same figures had the schedule been followed to the letter over
// the same days, beside what happened (realized).
import type { EnvironmentInfo, WorkloadInfo } from './environment.ts';
import { InvalidInputError } from './errors.ts';
import { localDayOf, startOfLocalDay } from './schedule.ts';
import type { ScheduleLike } from './schedule.ts';
import { schedulePolicy } from './schedule-policy.ts';
import { LEDGER_CAUSES, LEDGER_DAYS, ledgerTotals, ledgerZone, parseLedger } from './sleep-ledger.ts';
import type { ByCause } from './sleep-ledger.ts';

const COUNT = /^(0|[1-9]\d{0,8})$/;

/** What one workload takes off the cluster while it sleeps: requests per replica × the replicas that sleep. */
export interface SleepingRequests {
  readonly cpuCores: number;
  readonly memoryGiB: number;
  /** Requests that are not quantities (counted as 0), named. */
  readonly problems: readonly string[];
}

/** The CPU (cores) and memory (GiB) a workload takes off the cluster while it sleeps; zero for one the sleeper leaves alone. */
export function sleepingRequests(workload: WorkloadInfo): SleepingRequests {
  if (workload.kind === 'CronJob' || workload.sleepExempt || workload.requests === undefined) return { cpuCores: 0, memoryGiB: 0, problems: [] };
  const recorded = workload.replicasBeforeSleep;
  const replicas = workload.asleep && recorded !== undefined && COUNT.test(recorded) ? Number(recorded) : workload.replicas;
  return {
    cpuCores: workload.requests.cpuCores * replicas,
    memoryGiB: workload.requests.memoryGiB * replicas,
    problems: workload.requests.problems.map((p) => `${workload.kind}/${workload.name}: ${p}`),
  };
}

/** One environment as the report reads it: the model of `t env ls` and the tree. */
export type SavingsInput = Pick<EnvironmentInfo, 'name' | 'owner' | 'timezone' | 'awakeHours' | 'prewarmMinutes' | 'holidays' | 'sleepLedger' | 'workloads'>;

/** Prices per hour; `undefined`: no cost is computed. */
export interface Prices {
  readonly cpuCoreHour?: number | undefined;
  readonly gibHour?: number | undefined;
}

/** The report's period: the last `days` local days of each environment, today (up to `until`) included. */
export interface ReportPeriod {
  readonly days: number;
  readonly until: Date;
}

export interface Avoided {
  readonly asleepHours: number;
  /** Asleep share of the recorded (realized) or scheduled (potential) time, 0-100; null without any. */
  readonly asleepPercent: number | null;
  readonly avoidedCpuCoreHours: number;
  readonly avoidedMemoryGiBHours: number;
  /** null without prices. */
  readonly avoidedCost: number | null;
}

export interface EnvironmentSavings extends Avoided {
  readonly name: string;
  readonly owner: string;
  /** The zone its days are counted in. */
  readonly timezone: string;
  readonly awakeHours: number;
  readonly asleepHoursByCause: ByCause;
  readonly awakeHoursByCause: ByCause;
  readonly wakesByTrigger: ByCause;
  /** Requests that sleep with the environment. */
  readonly requests: { readonly cpuCores: number; readonly memoryGiB: number };
  /** Had the schedule been followed over the same days; null without a readable schedule. */
  readonly potential: Avoided | null;
  readonly problems: readonly string[];
}

export interface SavingsTotals extends Avoided {
  readonly environments: number;
  readonly awakeHours: number;
  readonly asleepHoursByCause: ByCause;
  readonly wakesByTrigger: ByCause;
  readonly potential: Avoided;
}

/** What `t report --json` prints. */
export interface SavingsReport {
  /** `until` minus the period's days (each environment's days start at its own local midnight). */
  readonly since: string;
  readonly until: string;
  readonly days: number;
  readonly environments: readonly EnvironmentSavings[];
  readonly owners: readonly (SavingsTotals & { readonly owner: string })[];
  readonly totals: SavingsTotals;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
const hours = (seconds: number): number => round(seconds / 3600);
const mapCauses = (f: (cause: keyof ByCause) => number): ByCause => ({ schedule: f('schedule'), manual: f('manual'), dev: f('dev') });
const sum = (byCause: ByCause): number => LEDGER_CAUSES.reduce((total, cause) => total + byCause[cause], 0);

/** Checks the period's days: 1 to the ledger's 35. */
export function checkReportDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > LEDGER_DAYS) {
    throw new InvalidInputError(`Invalid period of ${days} days: the ledger keeps ${LEDGER_DAYS} days.`, `Give whole days from 1 to ${LEDGER_DAYS}, e.g. --since 7d.`);
  }
  return days;
}

function avoided(asleepSeconds: number, totalSeconds: number, cpuCores: number, memoryGiB: number, prices: Prices): Avoided {
  const asleepHours = asleepSeconds / 3600;
  const cpu = cpuCores * asleepHours;
  const memory = memoryGiB * asleepHours;
  const priced = prices.cpuCoreHour !== undefined || prices.gibHour !== undefined;
  return {
    asleepHours: round(asleepHours),
    asleepPercent: totalSeconds > 0 ? round((100 * asleepSeconds) / totalSeconds, 1) : null,
    avoidedCpuCoreHours: round(cpu),
    avoidedMemoryGiBHours: round(memory),
    avoidedCost: priced ? round(cpu * (prices.cpuCoreHour ?? 0) + memory * (prices.gibHour ?? 0)) : null,
  };
}

/** Seconds the schedule has the environment asleep between two instants (ms). */
function scheduledAsleepSeconds(schedule: ScheduleLike, zone: string, from: number, to: number): number {
  let asleep = 0;
  // `next` is the next *change*, so the state flips at each one: one time-zone lookup per step.
  let awake = schedule.isAwake(new Date(from), zone);
  for (let t = from; t < to; awake = !awake) {
    const next = schedule.next(new Date(t), zone);
    const end = Math.min(to, next === undefined ? to : next.at.getTime());
    if (!awake) asleep += end - t;
    t = end;
  }
  return asleep / 1000;
}

/**
 * Per report: environments share a handful of schedules and zones (team defaults), so the
 * potential of one schedule over one period is worked out once.
 */
type PotentialCache = Map<string, number>;

/** One environment's figures over the period. */
export function environmentSavings(input: SavingsInput, period: ReportPeriod, prices: Prices, cache: PotentialCache = new Map()): EnvironmentSavings {
  const zone = ledgerZone(input.timezone);
  const problems: string[] = [];
  let cpuCores = 0;
  let memoryGiB = 0;
  for (const workload of input.workloads) {
    const requests = sleepingRequests(workload);
    cpuCores += requests.cpuCores;
    memoryGiB += requests.memoryGiB;
    problems.push(...requests.problems);
  }
  const toDay = localDayOf(period.until.getTime(), zone);
  const fromDay = toDay - period.days + 1;
  const read = parseLedger(input.sleepLedger);
  if (read.problem) problems.push(read.problem);
  const totals = read.ledger === undefined
    ? { asleep: mapCauses(() => 0), awake: mapCauses(() => 0), wakes: mapCauses(() => 0) }
    : ledgerTotals(read.ledger, fromDay, toDay, period.until, zone);
  if (read.ledger === undefined && read.problem === undefined) problems.push('no sleep ledger yet: the sleeper writes one at its next pass');
  const asleepSeconds = sum(totals.asleep);
  const awakeSeconds = sum(totals.awake);

  let potential: Avoided | null = null;
  const spec = input.awakeHours;
  const scheduleZone = input.timezone;
  if (spec !== undefined && scheduleZone !== undefined) {
    try {
      // Pre-warm and the namespace's holidays count; the company's list is the sleeper's alone.
      const schedule = schedulePolicy(spec, { prewarmMinutes: input.prewarmMinutes, holidays: input.holidays });
      const from = startOfLocalDay(fromDay, zone);
      const to = period.until.getTime();
      const key = `${spec}\n${input.prewarmMinutes}\n${input.holidays}\n${scheduleZone}\n${from}\n${to}`;
      let seconds = cache.get(key);
      if (seconds === undefined) {
        seconds = scheduledAsleepSeconds(schedule, scheduleZone, from, to);
        cache.set(key, seconds);
      }
      potential = avoided(seconds, (to - from) / 1000, cpuCores, memoryGiB, prices);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return {
    name: input.name,
    owner: input.owner,
    timezone: zone,
    awakeHours: hours(awakeSeconds),
    ...avoided(asleepSeconds, asleepSeconds + awakeSeconds, cpuCores, memoryGiB, prices),
    asleepHoursByCause: mapCauses((c) => hours(totals.asleep[c])),
    awakeHoursByCause: mapCauses((c) => hours(totals.awake[c])),
    wakesByTrigger: totals.wakes,
    requests: { cpuCores: round(cpuCores, 3), memoryGiB: round(memoryGiB, 3) },
    potential,
    problems,
  };
}

function totalsOf(environments: readonly EnvironmentSavings[], prices: Prices): SavingsTotals {
  const add = (f: (e: EnvironmentSavings) => number): number => round(environments.reduce((total, e) => total + f(e), 0));
  const addAvoided = (pick: (e: EnvironmentSavings) => Avoided | null): Avoided => {
    const asleepHours = add((e) => pick(e)?.asleepHours ?? 0);
    const priced = prices.cpuCoreHour !== undefined || prices.gibHour !== undefined;
    return {
      asleepHours,
      asleepPercent: null,
      avoidedCpuCoreHours: add((e) => pick(e)?.avoidedCpuCoreHours ?? 0),
      avoidedMemoryGiBHours: add((e) => pick(e)?.avoidedMemoryGiBHours ?? 0),
      avoidedCost: priced ? add((e) => pick(e)?.avoidedCost ?? 0) : null,
    };
  };
  const realized = addAvoided((e) => e);
  const awakeHours = add((e) => e.awakeHours);
  const recorded = realized.asleepHours + awakeHours;
  return {
    environments: environments.length,
    awakeHours,
    ...realized,
    asleepPercent: recorded > 0 ? round((100 * realized.asleepHours) / recorded, 1) : null,
    asleepHoursByCause: mapCauses((c) => add((e) => e.asleepHoursByCause[c])),
    wakesByTrigger: mapCauses((c) => add((e) => e.wakesByTrigger[c])),
    potential: addAvoided((e) => e.potential),
  };
}

/** The report over every environment given: each one, per owner, and in total. */
export function savingsReport(inputs: readonly SavingsInput[], period: ReportPeriod, prices: Prices): SavingsReport {
  checkReportDays(period.days);
  for (const [name, price] of [['CPU core-hour', prices.cpuCoreHour], ['GiB-hour', prices.gibHour]] as const) {
    if (price !== undefined && !(Number.isFinite(price) && price >= 0)) throw new InvalidInputError(`Invalid ${name} price "${price}".`, 'Give a number, 0 or more, e.g. 0.03.');
  }
  const cache: PotentialCache = new Map();
  const environments = inputs.map((input) => environmentSavings(input, period, prices, cache)).sort((a, b) => a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name));
  const owners = [...new Set(environments.map((e) => e.owner))].map((owner) => ({ owner, ...totalsOf(environments.filter((e) => e.owner === owner), prices) }));
  return {
    since: new Date(period.until.getTime() - period.days * 86_400_000).toISOString(),
    until: period.until.toISOString(),
    days: period.days,
    environments,
    owners,
    totals: totalsOf(environments, prices),
  };
}

const CSV_COLUMNS = [
  'name', 'owner', 'awakeHours', 'asleepHours', 'asleepPercent', 'asleepBySchedule', 'asleepByManual', 'wakesBySchedule', 'wakesByManual', 'wakesByDev',
  'cpuCores', 'memoryGiB', 'avoidedCpuCoreHours', 'avoidedMemoryGiBHours', 'avoidedCost', 'potentialAsleepHours', 'potentialAvoidedCpuCoreHours', 'potentialAvoidedMemoryGiBHours', 'potentialAvoidedCost',
] as const;

/** A CSV cell: names come from the cluster, so quote anything a spreadsheet could take for a formula or a separator. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) || text !== value ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row per environment and a `TOTAL` row (`t report --csv`). */
export function savingsCsv(report: SavingsReport): string {
  const row = (e: EnvironmentSavings | (SavingsTotals & { name: string; owner: string; requests: { cpuCores: number; memoryGiB: number } })): string => [
    e.name, e.owner, e.awakeHours, e.asleepHours, e.asleepPercent, e.asleepHoursByCause.schedule, e.asleepHoursByCause.manual + e.asleepHoursByCause.dev,
    e.wakesByTrigger.schedule, e.wakesByTrigger.manual, e.wakesByTrigger.dev, e.requests.cpuCores, e.requests.memoryGiB,
    e.avoidedCpuCoreHours, e.avoidedMemoryGiBHours, e.avoidedCost,
    e.potential?.asleepHours ?? null, e.potential?.avoidedCpuCoreHours ?? null, e.potential?.avoidedMemoryGiBHours ?? null, e.potential?.avoidedCost ?? null,
  ].map(cell).join(',');
  const requests = { cpuCores: round(report.environments.reduce((t, e) => t + e.requests.cpuCores, 0), 3), memoryGiB: round(report.environments.reduce((t, e) => t + e.requests.memoryGiB, 0), 3) };
  return [CSV_COLUMNS.join(','), ...report.environments.map(row), row({ ...report.totals, name: 'TOTAL', owner: '', requests })].join('\n') + '\n';
}

// ---- the tree -------------------------------------------------------------------------------

/**
 * "asleep · wakes to 2" for a Deployment or StatefulSet that T-Env put to sleep: the count it will
 * come back with, which "0/0" hides. `undefined` for anything else.
 */
export function asleepWorkloadText(workload: WorkloadInfo): string | undefined {
  if (workload.kind === 'CronJob' || !workload.asleep || workload.replicas !== 0) return undefined;
  const recorded = workload.replicasBeforeSleep;
  return recorded !== undefined && COUNT.test(recorded) ? `asleep · wakes to ${recorded}` : undefined;
}

/** "asleep 64 % of the last 7 days · 41 core-h avoided" for an environment's tooltip; `undefined` without a record. */
export function recentSavingsText(env: SavingsInput, now: Date, days = 7): string | undefined {
  const figures = environmentSavings(env, { days, until: now }, {});
  if (figures.asleepPercent === null) return undefined;
  const coreHours = figures.avoidedCpuCoreHours >= 10 ? Math.round(figures.avoidedCpuCoreHours) : figures.avoidedCpuCoreHours;
  return `asleep ${Math.round(figures.asleepPercent)} % of the last ${days} days · ${coreHours} core-h avoided`;
}
