// What users see of an environment (tree, status bar, `t env ls`): its state with the next
// scheduled transition, and the JSON shape that outside scripts rely on.
import type { EnvironmentInfo, WorkloadInfo } from './environment.ts';
import { effectiveAwake } from './schedule.ts';
import type { Transition } from './schedule.ts';

export interface ScheduleView {
  /** The schedule's verdict (schedule or manual wake), when the annotations are valid. */
  awakeBySchedule: boolean | undefined;
  next: Transition | undefined;
  /** Why the schedule cannot be evaluated (corrupt annotations); reported, never guessed. */
  problem: string | undefined;
}

export function scheduleView(env: EnvironmentInfo, now: Date): ScheduleView {
  if (!env.awakeHours || !env.timezone) {
    return { awakeBySchedule: undefined, next: undefined, problem: env.awakeHours || env.timezone ? 'awake hours or time zone missing' : undefined };
  }
  let awakeUntil: Date | undefined;
  if (env.awakeUntil) {
    const t = Date.parse(env.awakeUntil);
    if (Number.isNaN(t)) return { awakeBySchedule: undefined, next: undefined, problem: `invalid t-env.dev/awake-until "${env.awakeUntil}"` };
    awakeUntil = new Date(t);
  }
  try {
    const verdict = effectiveAwake(env.awakeHours, env.timezone, now, awakeUntil);
    return { awakeBySchedule: verdict.awake, next: verdict.next, problem: undefined };
  } catch (error) {
    return { awakeBySchedule: undefined, next: undefined, problem: error instanceof Error ? error.message : String(error) };
  }
}

export interface EnvironmentJson {
  name: string;
  owner: string;
  state: string;
  timezone: string | null;
  awakeHours: string | null;
  awakeUntil: string | null;
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
    awakeUntil: env.awakeUntil ?? null,
    next: view.next ? { action: view.next.action, at: view.next.at.toISOString() } : null,
    problem: view.problem ?? null,
    workloads: env.workloads.map((w: WorkloadInfo) => ({
      kind: w.kind, name: w.name, replicas: w.replicas, readyReplicas: w.readyReplicas, state: w.state, devMode: w.devMode, asleep: w.asleep, pods: w.pods.length,
    })),
  };
}

/** "sleeps Mon 20:00 (in 3 h)" in the environment's own zone. */
export function describeTransition(next: Transition | undefined, timezone: string | undefined, now: Date): string {
  if (!next) return 'no scheduled change';
  const local = new Intl.DateTimeFormat('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: timezone ?? 'UTC' }).format(next.at);
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
