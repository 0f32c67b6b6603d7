// Comparing an environment with its baseline, and what refresh and reset do about it.
// Every copyable object of either side gets one status:
// - `in-sync`: the copy is what T-Env applied, and the baseline has not changed since;
// - `behind`: the baseline changed since the copy (its hash differs from `baseline-hash`);
// - `changed-here`: edited in the environment (by hand, by dev mode): its comparable form no
//   longer hashes to `copy-hash`, or the environment made an object of the same name itself;
// - `only-in-baseline`: added to the baseline since (or deleted here);
// - `only-here`: in the environment only (made here, or copied and since removed from the baseline).
// An overlay's routed Service (core/overlay-plan.ts) is `in-sync` while the baseline has the Service.
// Refresh applies `behind` and `only-in-baseline` (and `changed-here` with force), never touches a
// workload in Okteto dev mode, and never deletes; reset also deletes copies the baseline dropped.
import { LABEL_OKTETO_DEV, ANNOTATION_OKTETO_REPLICAS } from './environment.ts';
import {
  ANNOTATION_BASELINE_HASH, ANNOTATION_COPY_HASH, comparableForm, imagesOf, LABEL_FROM_BASELINE, neverCopyReason, normalizeBaselineObject, objectHash,
} from './baseline-copy.ts';
import type { KubeObject } from './baseline-copy.ts';
import { isWorkloadKind } from './kinds.ts';
import { routedTo } from './overlay-plan.ts';
import type { KindName } from './kinds.ts';

export type DiffStatus = 'in-sync' | 'behind' | 'changed-here' | 'only-in-baseline' | 'only-here';

export interface Listed {
  readonly kind: KindName;
  readonly obj: KubeObject;
}

export interface DiffEntry {
  readonly kind: KindName;
  readonly name: string;
  readonly status: DiffStatus;
  /** For workloads whose images differ between the environment and the baseline. */
  readonly image?: { readonly from: string; readonly to: string } | undefined;
  /** The environment's object was copied from the baseline (it carries `from-baseline`). */
  readonly copied: boolean;
  /** A workload Okteto's dev mode has taken over. */
  readonly dev: boolean;
  readonly baseline: KubeObject | undefined;
  readonly environment: KubeObject | undefined;
}

/** A workload `okteto up` has taken over (label `dev.okteto.com`, or its saved replica count). */
export function inDevMode(obj: KubeObject | undefined): boolean {
  const meta = obj?.metadata;
  return meta?.labels?.[LABEL_OKTETO_DEV] === 'true' || meta?.annotations?.[ANNOTATION_OKTETO_REPLICAS] !== undefined;
}

const key = (kind: string, name: string): string => `${kind}/${name}`;

/** One entry per object of either side (only what a copy would carry), sorted by kind order then name. */
export function diffWithBaseline(baselineName: string, baseline: readonly Listed[], environment: readonly Listed[]): DiffEntry[] {
  const fromBaseline = new Map(baseline.filter((b) => neverCopyReason(b.kind, b.obj) === undefined).map((b) => [key(b.kind, b.obj.metadata?.name ?? ''), b]));
  const here = new Map(environment.filter((e) => neverCopyReason(e.kind, e.obj) === undefined).map((e) => [key(e.kind, e.obj.metadata?.name ?? ''), e]));
  const entries: DiffEntry[] = [];
  for (const [k, b] of fromBaseline) {
    const e = here.get(k);
    const name = b.obj.metadata?.name ?? '';
    if (!e) {
      entries.push({ kind: b.kind, name, status: 'only-in-baseline', copied: false, dev: false, baseline: b.obj, environment: undefined });
      continue;
    }
    if (routedTo(e.obj) === baselineName) {
      // An overlay's routed Service is no copy: it is right as long as the Service it aliases exists.
      entries.push({ kind: b.kind, name, status: 'in-sync', copied: true, dev: false, baseline: b.obj, environment: e.obj });
      continue;
    }
    const annotations = e.obj.metadata?.annotations ?? {};
    const copied = e.obj.metadata?.labels?.[LABEL_FROM_BASELINE] === baselineName;
    const editedHere = !copied || annotations[ANNOTATION_COPY_HASH] !== objectHash(comparableForm(e.kind, e.obj));
    const behind = annotations[ANNOTATION_BASELINE_HASH] !== objectHash(normalizeBaselineObject(b.kind, b.obj));
    const status: DiffStatus = editedHere ? 'changed-here' : behind ? 'behind' : 'in-sync';
    const from = isWorkloadKind(b.kind) ? imagesOf(b.kind, e.obj) : '';
    const to = isWorkloadKind(b.kind) ? imagesOf(b.kind, b.obj) : '';
    entries.push({
      kind: b.kind, name, status, copied, dev: inDevMode(e.obj), baseline: b.obj, environment: e.obj,
      image: status === 'behind' && from !== to ? { from, to } : undefined,
    });
  }
  for (const [k, e] of here) {
    if (fromBaseline.has(k)) continue;
    entries.push({
      kind: e.kind, name: e.obj.metadata?.name ?? '', status: 'only-here', dev: inDevMode(e.obj), baseline: undefined, environment: e.obj,
      copied: e.obj.metadata?.labels?.[LABEL_FROM_BASELINE] === baselineName,
    });
  }
  const order = [...new Set([...baseline, ...environment].map((l) => l.kind))];
  return entries.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name));
}

export interface RefreshOptions {
  /** Only these object names (workloads and others); all by default. */
  only?: readonly string[] | undefined;
  /** Also overwrite `changed-here` objects (never those in dev mode). */
  force?: boolean | undefined;
}

export interface RefreshPlan {
  /** Entries to apply from the baseline's current state. */
  readonly apply: readonly DiffEntry[];
  /** Entries left alone on purpose, with why. */
  readonly skipped: readonly { readonly entry: DiffEntry; readonly reason: string }[];
}

export function planRefresh(entries: readonly DiffEntry[], options: RefreshOptions = {}): RefreshPlan {
  const apply: DiffEntry[] = [];
  const skipped: { entry: DiffEntry; reason: string }[] = [];
  const only = options.only && options.only.length > 0 ? new Set(options.only) : undefined;
  for (const entry of entries) {
    if (only && !only.has(entry.name)) continue;
    if (entry.status === 'in-sync' || entry.status === 'only-here') continue;
    if (entry.dev) { skipped.push({ entry, reason: `${entry.kind}/${entry.name} is in dev mode (okteto up); left alone` }); continue; }
    if (entry.status === 'changed-here' && !options.force) {
      skipped.push({ entry, reason: `${entry.kind}/${entry.name} was changed here; left alone (--force overwrites it)` });
      continue;
    }
    apply.push(entry);
  }
  return { apply, skipped };
}

/** Copies the baseline no longer has: what reset deletes (never objects made here). */
export function droppedCopies(entries: readonly DiffEntry[]): DiffEntry[] {
  return entries.filter((e) => e.status === 'only-here' && e.copied && !e.dev);
}

/** The `t env diff --json` shape. */
export function diffJson(environment: string, baseline: string, entries: readonly DiffEntry[]): {
  environment: string; baseline: string; objects: { kind: string; name: string; status: DiffStatus; image?: { from: string; to: string } }[];
} {
  return {
    environment, baseline,
    objects: entries.map((e) => ({ kind: e.kind, name: e.name, status: e.status, ...(e.image ? { image: { from: e.image.from, to: e.image.to } } : {}) })),
  };
}
