// The workloads of one environment from its objects, decided without I/O: each pod under its
// workload, the pods of an okteto dev copy under the original, and each warning under the object
// it is about. The live store (adapters/environment-store.ts) only hands in what its informers hold.
import { cronJobInfo, LABEL_OKTETO_CLONE, podInfo, podOwner, scalableInfo, warningInfo } from './environment.ts';
import type { CronJobLike, EventLike, PodInfo, PodLike, ScalableLike, WarningInfo, WorkloadInfo } from './environment.ts';
import { childKindOf, SCALABLE_KINDS } from './kinds.ts';
import type { ScalableKind, WorkloadKind } from './kinds.ts';

/** One namespace's objects, as listed. */
export interface EnvironmentObjects {
  readonly scalable: Readonly<Record<ScalableKind, readonly ScalableLike[]>>;
  readonly cronJobs: readonly CronJobLike[];
  readonly pods: readonly PodLike[];
  /** Events of any type; only warnings count. */
  readonly events: readonly EventLike[];
}

/** Warning events by the object they are about: `Pod/api-1`, `ReplicaSet/api-7d9f`, … */
function warningsByObject(events: readonly EventLike[]): Map<string, WarningInfo[]> {
  const byObject = new Map<string, WarningInfo[]>();
  for (const event of events) {
    const warning = warningInfo(event);
    if (!warning) continue;
    const key = `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`;
    byObject.set(key, [...(byObject.get(key) ?? []), warning]);
  }
  return byObject;
}

/** Warnings of a workload's own objects: itself, and its ReplicaSets or Jobs (by name prefix). */
function ownWarnings(warnings: Map<string, WarningInfo[]>, kind: WorkloadKind, name: string): WarningInfo[] {
  const result = [...(warnings.get(`${kind}/${name}`) ?? [])];
  const child = childKindOf(kind);
  if (child) {
    for (const [key, list] of warnings) if (key.startsWith(`${child}/${name}-`)) result.push(...list);
  }
  return result;
}

/**
 * The environment's workloads with their pods (by name) and warnings. `okteto up` runs the dev
 * container in a `<name>-okteto` copy of the Deployment or StatefulSet (labelled
 * `dev.okteto.com/clone`): the copy's pods belong to the original, and the copy is not listed.
 */
export function environmentWorkloads(objects: EnvironmentObjects): WorkloadInfo[] {
  const warnings = warningsByObject(objects.events);
  const clones = new Map<string, string>();
  for (const kind of SCALABLE_KINDS) {
    for (const w of objects.scalable[kind]) {
      const name = w.metadata?.name ?? '';
      if (w.metadata?.labels?.[LABEL_OKTETO_CLONE]) clones.set(`${kind}/${name}`, name.replace(/-okteto$/, ''));
    }
  }
  const pods = new Map<string, PodInfo[]>();
  for (const pod of objects.pods) {
    const owner = podOwner(pod);
    if (!owner) continue;
    const key = `${owner.kind}/${clones.get(`${owner.kind}/${owner.name}`) ?? owner.name}`;
    const info = podInfo(pod);
    info.warnings = warnings.get(`Pod/${info.name}`) ?? [];
    const list = pods.get(key);
    if (list) list.push(info); else pods.set(key, [info]);
  }
  const podsOf = (kind: WorkloadKind, name: string): PodInfo[] => (pods.get(`${kind}/${name}`) ?? []).sort((a, b) => a.name.localeCompare(b.name));
  const result: WorkloadInfo[] = [];
  for (const kind of SCALABLE_KINDS) {
    for (const w of objects.scalable[kind]) {
      const name = w.metadata?.name ?? '';
      if (clones.has(`${kind}/${name}`)) continue;
      result.push(scalableInfo(kind, w, podsOf(kind, name), ownWarnings(warnings, kind, name)));
    }
  }
  for (const c of objects.cronJobs) {
    const name = c.metadata?.name ?? '';
    result.push(cronJobInfo(c, podsOf('CronJob', name), ownWarnings(warnings, 'CronJob', name)));
  }
  return result;
}
