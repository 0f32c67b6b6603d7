// What VS Code shows of an overlay (README, "Overlays"), from what the live store already holds
// (the workloads of the overlay and of its baseline), so the tree needs no request of its own:
// - every workload of the baseline the overlay does not run is routed to the baseline (its
//   Services are ExternalName Services there); the tree lists it as a "→ main" row;
// - the overlay's description says how much of the baseline it runs: "overlay of main · 3 of 12
//   workloads". Workloads are counted by name, as the plan names them (kinds of one name travel
//   together); workloads made only in the overlay are not part of the baseline's count;
// - Create Environment's "Only what I changed" shows the plan as a quick pick (every workload it
//   runs checked, the baseline's others unchecked) and turns what stays checked into the request.
import type { BaselineMark } from './baseline-view.ts';
import type { OverlayPlan, OverlayRequest } from './overlay-plan.ts';
import { shortText } from './sanitize.ts';

/** An overlay's standing against its baseline. */
export interface OverlayView {
  readonly baseline: string;
  /** Workloads of the baseline the overlay runs itself. */
  readonly running: number;
  /** Workloads of the baseline, by name. */
  readonly total: number;
  /** Workloads of the baseline the overlay routes to it, sorted. */
  readonly routed: readonly string[];
}

/** The overlay's view from the workload names of its baseline and of itself. */
export function overlayView(baseline: string, baselineWorkloads: Iterable<string>, here: Iterable<string>): OverlayView {
  const all = new Set(baselineWorkloads);
  const mine = new Set(here);
  const routed = [...all].filter((w) => !mine.has(w)).sort();
  return { baseline, running: all.size - routed.length, total: all.size, routed };
}

/** The environment's description part: `overlay of main · 3 of 12 workloads · 1 behind`. */
export function overlayDescription(view: OverlayView, marks: readonly (BaselineMark | undefined)[]): string {
  const behind = marks.filter((m) => m?.status === 'behind').length;
  return `overlay of ${shortText(view.baseline, 40)} · ${view.running} of ${view.total} workload${view.total === 1 ? '' : 's'}${behind > 0 ? ` · ${behind} behind` : ''}`;
}

/** A routed row's tooltip (names come from the cluster: sanitized and cut). */
export function routedTooltip(environment: string, workload: string, baseline: string): string {
  const [e, w, b] = [shortText(environment, 63), shortText(workload, 63), shortText(baseline, 63)];
  return `${w} does not run in ${e}: calls to its Services reach the baseline ${b} (ExternalName Services annotated t-env.dev/routed-to).\nAdd to Environment runs a copy of it here.`;
}

/** A row of the "Only what I changed" quick pick. */
export interface PlanPickItem {
  readonly name: string;
  /** Why it runs, or where its callers reach it when it does not. */
  readonly detail: string;
  readonly picked: boolean;
}

/**
 * The rows of "Only what I changed": every workload the plan runs, checked, with why; then the
 * baseline's other workloads, unchecked (routed), those a chosen workload calls first.
 */
export function planPickItems(plan: OverlayPlan, baselineWorkloads: Iterable<string>): PlanPickItem[] {
  const b = shortText(plan.baseline, 40);
  const running = new Set(plan.run.map((r) => r.name));
  const callers = new Map<string, string[]>();
  for (const s of plan.shared) callers.set(s.to, [...(callers.get(s.to) ?? []), s.from]);
  const others = [...new Set(baselineWorkloads)].filter((w) => !running.has(w))
    .sort((x, y) => Number(callers.has(y)) - Number(callers.has(x)) || x.localeCompare(y));
  return [
    ...plan.run.map((r) => ({ name: r.name, detail: shortText(r.reasons.join('; '), 200), picked: true })),
    ...others.map((w) => ({ name: w, detail: callers.has(w) ? `→ ${b} · called by ${shortText(callers.get(w)!.join(', '), 100)}` : `→ ${b}`, picked: false })),
  ];
}

/**
 * The overlay request for the rows the developer kept checked: changed workloads still checked
 * stay `changed` (with their files), added ones come `with`, unchecked ones of the plan go
 * `without` (which also routes a caller that was on a path). Undefined when nothing is checked.
 */
export function pickedRequest(plan: OverlayPlan, changed: ReadonlyMap<string, readonly string[]>, picked: readonly string[]): OverlayRequest | undefined {
  if (picked.length === 0) return undefined;
  const keep = new Set(picked);
  const planned = new Set(plan.run.map((r) => r.name));
  return {
    changed: new Map([...changed].filter(([name]) => keep.has(name))),
    with: picked.filter((n) => !planned.has(n)),
    without: plan.run.map((r) => r.name).filter((n) => !keep.has(n)),
  };
}
