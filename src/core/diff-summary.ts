// How far an environment has drifted from its baseline, in a few lines: a count per diff status
// (core/baseline-diff.ts) and the objects that are not in sync, at most `limit` of them, so that
// one environment with thousands of objects cannot flood an agent's context.
import type { DiffEntry, DiffStatus } from './baseline-diff.ts';

export const DIFF_STATUSES: readonly DiffStatus[] = ['in-sync', 'behind', 'changed-here', 'only-in-baseline', 'only-here'];

export interface DiffSummary {
  readonly counts: Record<DiffStatus, number>;
  /** Objects not in sync, in the diff's order (kind order, then name), at most `limit`. */
  readonly differences: { kind: string; name: string; status: DiffStatus; dev: boolean; image?: { from: string; to: string } }[];
  /** Differences left out to stay within `limit`. */
  readonly omitted: number;
}

/** Counts per status and the first `limit` objects that differ. */
export function summarizeDiff(entries: readonly DiffEntry[], limit: number): DiffSummary {
  const counts = Object.fromEntries(DIFF_STATUSES.map((s) => [s, 0])) as Record<DiffStatus, number>;
  for (const e of entries) counts[e.status]++;
  const differing = entries.filter((e) => e.status !== 'in-sync');
  return {
    counts,
    differences: differing.slice(0, limit).map((e) => ({
      kind: e.kind, name: e.name, status: e.status, dev: e.dev, ...(e.image ? { image: { from: e.image.from, to: e.image.to } } : {}),
    })),
    omitted: Math.max(0, differing.length - limit),
  };
}
