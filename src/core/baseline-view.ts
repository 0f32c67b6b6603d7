// What VS Code shows of an environment's relation to its baseline. The statuses are the diff's
// (baseline-diff.ts), computed here for workloads only and from objects the live store already
// holds, so the tree needs no request of its own:
// - each workload copied from the baseline gets a mark: its status and, when `behind`, which
//   container images the baseline has changed since the copy (`old → new`);
// - the environment's description names its baseline and how many workloads are behind;
// - Update from Baseline offers Force only for objects that were changed here and are not in dev
//   mode (dev mode is never touched, whatever the force).
import { podSpecOf } from './baseline-copy.ts';
import type { KubeObject } from './baseline-copy.ts';
import { diffWithBaseline } from './baseline-diff.ts';
import type { DiffEntry, DiffStatus, Listed } from './baseline-diff.ts';
import { isWorkloadKind } from './kinds.ts';
import { shortText } from './sanitize.ts';
import type { WorkloadInfo } from './environment.ts';

export interface ImageChange {
  readonly container: string;
  readonly from: string;
  readonly to: string;
}

/** A workload's standing against the baseline it was copied from. */
export interface BaselineMark {
  readonly baseline: string;
  readonly status: DiffStatus;
  /** Images the baseline changed since the copy (only when `behind`). */
  readonly images: readonly ImageChange[];
}

/** Container name → image, init containers included (a workload without a pod spec has none). */
export function containerImages(kind: string, obj: KubeObject | undefined): Map<string, string> {
  const spec = obj ? podSpecOf(kind, obj) : undefined;
  const images = new Map<string, string>();
  for (const field of ['initContainers', 'containers']) {
    const list = spec?.[field];
    if (!Array.isArray(list)) continue;
    for (const c of list as Record<string, unknown>[]) images.set(String(c['name']), String(c['image']));
  }
  return images;
}

/** Containers whose image differs (or that only one side has), in the baseline's order. */
export function imageChanges(kind: string, here: KubeObject | undefined, baseline: KubeObject | undefined): ImageChange[] {
  const from = containerImages(kind, here);
  const to = containerImages(kind, baseline);
  const changes: ImageChange[] = [];
  for (const [container, image] of to) if (from.get(container) !== image) changes.push({ container, from: from.get(container) ?? '(none)', to: image });
  for (const [container, image] of from) if (!to.has(container)) changes.push({ container, from: image, to: '(removed)' });
  return changes;
}

const markKey = (kind: string, name: string): string => `${kind}/${name}`;

/**
 * Marks for the environment's workloads that were copied from `baseline` (or that it also has),
 * keyed `Kind/name`. Workloads made only here get none.
 */
export function workloadMarks(baseline: string, fromBaseline: readonly Listed[], here: readonly Listed[]): Map<string, BaselineMark> {
  const entries = diffWithBaseline(baseline, fromBaseline.filter((l) => isWorkloadKind(l.kind)), here.filter((l) => isWorkloadKind(l.kind)));
  const marks = new Map<string, BaselineMark>();
  for (const e of entries) {
    if (e.environment === undefined || (e.status === 'only-here' && !e.copied)) continue;
    const images = e.status === 'behind' ? imageChanges(e.kind, e.environment, e.baseline) : [];
    marks.set(markKey(e.kind, e.name), { baseline, status: e.status, images });
  }
  return marks;
}

/** The mark of one workload from `workloadMarks`. */
export function markOf(marks: ReadonlyMap<string, BaselineMark>, kind: string, name: string): BaselineMark | undefined {
  return marks.get(markKey(kind, name));
}

/** `api: registry/api:1 → registry/api:2`, each part sanitized and cut (images come from the cluster). */
export function describeImageChange(change: ImageChange): string {
  return `${shortText(change.container, 40)}: ${shortText(change.from, 100)} → ${shortText(change.to, 100)}`;
}

/** Tooltip lines of a workload's mark: its standing against the baseline, then the image changes. */
export function markTooltip(mark: BaselineMark): string {
  const b = shortText(mark.baseline, 40);
  const head = mark.status === 'in-sync' ? `In sync with baseline ${b}`
    : mark.status === 'behind' ? `Behind baseline ${b} (Update from Baseline brings it up to date)`
      : mark.status === 'changed-here' ? `Changed here since the copy from baseline ${b}`
        : `Copied from baseline ${b}, which no longer has it`;
  return [head, ...mark.images.slice(0, 10).map((c) => `  ${describeImageChange(c)}`)].join('\n');
}

/** The environment's description part: `from main`, `from main · 2 behind`. */
export function baselineDescription(baseline: string, marks: readonly (BaselineMark | undefined)[]): string {
  const behind = marks.filter((m) => m?.status === 'behind').length;
  return `from ${shortText(baseline, 40)}${behind > 0 ? ` · ${behind} behind` : ''}`;
}

/**
 * Objects an update leaves alone unless forced: changed here, not in dev mode, within `only`
 * (object names; all when empty). Update from Baseline names them in its Force question.
 */
export function forceCandidates(entries: readonly DiffEntry[], only?: readonly string[]): DiffEntry[] {
  const wanted = only && only.length > 0 ? new Set(only) : undefined;
  return entries.filter((e) => e.status === 'changed-here' && !e.dev && (!wanted || wanted.has(e.name)));
}

/** A baseline as the tree lists it (read-only): its name, git ref and workloads. */
export interface BaselineView {
  readonly name: string;
  /** `t-env.dev/git-ref`, as written (sanitize before display). */
  readonly gitRef: string | undefined;
  /** `t-env.dev/awake-hours`, as written (`auto`: see baseline-sleep.ts). */
  readonly awakeHours?: string | undefined;
  readonly workloads: readonly WorkloadInfo[];
}
