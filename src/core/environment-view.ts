// What users see of an environment (tree, status bar, `t env ls`): its state with the next
// scheduled transition, and the JSON shape that outside scripts rely on.
import { recentWarnings, scheduleAnnotations } from './environment.ts';
import type { EnvironmentInfo, WarningInfo, WorkloadInfo } from './environment.ts';
import { baselineSleepText } from './baseline-sleep.ts';
import { evaluate } from './environment-verdict.ts';
import { NotFoundError } from './errors.ts';
import type { Transition } from './schedule.ts';

export interface ScheduleView {
  /** What a baseline with `auto` awake hours follows ("awake while an environment made from main is awake"); shown instead of `next`. */
  follows?: string | undefined;
  /** Whether the environment should be awake now (schedule, manual wake or sleep), when that is decided. */
  awakeBySchedule: boolean | undefined;
  next: Transition | undefined;
  /** Why the schedule cannot be evaluated (corrupt annotations); reported, never guessed. */
  problem: string | undefined;
}

/** What the sleeper decides about the environment at `now` (see environment-verdict.ts), for display. */
export function scheduleView(env: EnvironmentInfo, now: Date): ScheduleView {
  const follows = env.isBaseline ? baselineSleepText(env.name, env.awakeHours) : undefined;
  if (follows !== undefined) return { awakeBySchedule: undefined, next: undefined, problem: undefined, follows };
  const verdict = evaluate(scheduleAnnotations(env), now);
  return {
    awakeBySchedule: verdict.state === undefined ? undefined : verdict.state === 'awake',
    next: verdict.next,
    problem: verdict.problems.length > 0 ? verdict.problems.join('; ') : undefined,
  };
}

export interface EnvironmentJson {
  name: string;
  owner: string;
  state: string;
  timezone: string | null;
  awakeHours: string | null;
  /** Minutes woken before each awake stretch (`t-env.dev/prewarm-minutes`); null without. */
  prewarmMinutes: number | null;
  /** `t-env.dev/holidays` as written; null without. */
  holidays: string | null;
  awakeUntil: string | null;
  asleepUntil: string | null;
  /** `t-env.dev/expires-at`: when the sleeper deletes the environment; null without a TTL. */
  expiresAt: string | null;
  next: { action: 'sleep' | 'wake'; at: string } | null;
  problem: string | null;
  workloads: { kind: string; name: string; replicas: number; readyReplicas: number; state: string; devMode: boolean; asleep: boolean; pods: number }[];
}

export function environmentJson(env: EnvironmentInfo, now: Date): EnvironmentJson {
  const view = scheduleView(env, now);
  return {
    name: env.name,
    owner: env.owner,
    state: env.state,
    timezone: env.timezone ?? null,
    awakeHours: env.awakeHours ?? null,
    prewarmMinutes: env.prewarmMinutes !== undefined && /^\d{1,3}$/.test(env.prewarmMinutes) ? Number(env.prewarmMinutes) : null,
    holidays: env.holidays ?? null,
    awakeUntil: env.awakeUntil ?? null,
    asleepUntil: env.asleepUntil ?? null,
    expiresAt: env.expiresAt ?? null,
    next: view.next ? { action: view.next.action, at: view.next.at.toISOString() } : null,
    problem: view.problem ?? null,
    workloads: env.workloads.map((w: WorkloadInfo) => ({
      kind: w.kind, name: w.name, replicas: w.replicas, readyReplicas: w.readyReplicas, state: w.state, devMode: w.devMode, asleep: w.asleep, pods: w.pods.length,
    })),
  };
}

/** "sleeps Mon 20:00 (in 3 h)" in the environment's own zone (in UTC, saying so, if that zone is unknown). */
export function describeTransition(next: Transition | undefined, timezone: string | undefined, now: Date): string {
  if (!next) return 'no scheduled change';
  const format = (timeZone: string): string => new Intl.DateTimeFormat('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(next.at);
  let local: string;
  try {
    local = format(timezone ?? 'UTC');
  } catch {
    // A bad zone annotation is reported as the environment's problem; it must not fail the view.
    local = `${format('UTC')} UTC`;
  }
  return `${next.action === 'sleep' ? 'sleeps' : 'wakes'} ${local} (${relative(next.at.getTime() - now.getTime())})`;
}

export function relative(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'now';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `in ${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `in ${Math.round(hours / 24)} days`;
}

/**
 * The recent warnings of an environment (or of one of its workloads), newest first, each once
 * (a pod's warning is also its workload's). Throws NotFoundError for an unknown workload.
 */
export function environmentWarnings(env: EnvironmentInfo, workload: string | undefined, now: Date): (WarningInfo & { workload: string })[] {
  const workloads = workload ? env.workloads.filter((w) => w.name === workload) : env.workloads;
  if (workload && workloads.length === 0) throw new NotFoundError(`The workload "${workload}" in ${env.name}`, `Workloads: ${env.workloads.map((w) => w.name).join(', ')}`);
  const seen = new Set<string>();
  return recentWarnings(workloads.flatMap((w) => w.warnings.map((x) => ({ ...x, workload: w.name }))), now)
    .filter((w) => { const key = `${w.object}|${w.reason}|${w.lastSeen}`; return !seen.has(key) && seen.add(key); });
}
