// What VS Code shows of an overlay (README, "Overlays"), from what the live store already holds
// (the workloads of the overlay and of its baseline, and the Services T-Env made), so the tree
// needs no request of its own:
// - every workload of the baseline the overlay does not run is routed to the baseline: Start Dev
//   offers it (adding it first) and the palette's Add to Environment lists it;
// - every routed Service of the overlay (an ExternalName Service annotated `t-env.dev/routed-to`,
//   core/overlay-plan.ts routedService) is one "→ main" row. Which workloads of the baseline serve
//   it is known only when the store holds a copy of that Service made from the same baseline (in
//   any environment: copies keep the baseline's selector), matched against the baseline's pod
//   templates; the baseline's own Services are not watched, so otherwise it is unknown;
// - the overlay's description says how much of the baseline it runs: "overlay of main · 3 of 12
//   workloads". Workloads are counted by name, as the plan names them (kinds of one name travel
//   together); workloads made only in the overlay are not part of the baseline's count;
// - Create Environment's "Only what I changed" shows the plan as a quick pick (every workload it
//   runs checked, the baseline's others unchecked) and turns what stays checked into the request.
import { LABEL_FROM_BASELINE } from './baseline-copy.ts';
import type { KubeObject } from './baseline-copy.ts';
import type { BaselineMark } from './baseline-view.ts';
import type { Listed } from './baseline-diff.ts';
import { routedTo, workloadsSelectedBy } from './overlay-plan.ts';
import type { OverlayPlan, OverlayRequest } from './overlay-plan.ts';
import { shortText } from './sanitize.ts';

/** A routed Service of an overlay, as the tree shows it. */
export interface RoutedService {
  /** The Service's name (as in the cluster; sanitize before display). */
  readonly name: string;
  /** The baseline its `t-env.dev/routed-to` annotation names. */
  readonly baseline: string;
  /** Workloads of the baseline that serve it, sorted; undefined when the store does not know. */
  readonly workloads: readonly string[] | undefined;
}

/** An overlay's standing against its baseline. */
export interface OverlayView {
  readonly baseline: string;
  /** Workloads of the baseline the overlay runs itself. */
  readonly running: number;
  /** Workloads of the baseline, by name. */
  readonly total: number;
  /** Workloads of the baseline the overlay does not run (so routes to it), sorted. */
  readonly routedWorkloads: readonly string[];
  /**
   * The overlay's routed Services, sorted (one tree row each); undefined when the store may not
   * list the overlay's Services (the tree then shows a row per routed workload instead).
   */
  readonly routedServices: readonly RoutedService[] | undefined;
}

/** The overlay's view from the workload names of its baseline and of itself (and its routed Services, when listed). */
export function overlayView(baseline: string, baselineWorkloads: Iterable<string>, here: Iterable<string>, routedServices?: readonly RoutedService[]): OverlayView {
  const all = new Set(baselineWorkloads);
  const mine = new Set(here);
  const routed = [...all].filter((w) => !mine.has(w)).sort();
  return { baseline, running: all.size - routed.length, total: all.size, routedWorkloads: routed, routedServices };
}

/**
 * The routed Services among an overlay's `services` (those annotated `t-env.dev/routed-to`), sorted
 * by name. `copies` are Services the store holds from any environment: those copied from the same
 * baseline (label `t-env.dev/from-baseline`, not routed, with a selector) tell which of the
 * baseline's `baselineWorkloads` serve a Service of that name.
 */
export function routedServices(services: readonly KubeObject[], baselineWorkloads: readonly Listed[], copies: readonly KubeObject[]): RoutedService[] {
  const routed = services.filter((s) => (routedTo(s) ?? '') !== '' && s.metadata?.name);
  const wanted = new Set(routed.map((s) => s.metadata?.name ?? ''));
  const selectors = new Map<string, KubeObject[]>();
  for (const c of copies) {
    const name = c.metadata?.name ?? '';
    const from = c.metadata?.labels?.[LABEL_FROM_BASELINE];
    if (!wanted.has(name) || !from || routedTo(c) !== undefined) continue;
    const key = `${from}/${name}`;
    selectors.set(key, [...(selectors.get(key) ?? []), c]);
  }
  return routed.map((s) => {
    const name = s.metadata?.name ?? '';
    const baseline = routedTo(s) ?? '';
    const known = selectors.get(`${baseline}/${name}`);
    // Copies that disagree (one made before the baseline changed its selector): every match counts.
    const workloads = known ? [...new Set(known.flatMap((c) => workloadsSelectedBy(c, baselineWorkloads)))].sort() : undefined;
    return { name, baseline, workloads };
  }).sort((a, b) => a.name.localeCompare(b.name));
}

/** The environment's description part: `overlay of main · 3 of 12 workloads · 1 behind`. */
export function overlayDescription(view: OverlayView, marks: readonly (BaselineMark | undefined)[]): string {
  const behind = marks.filter((m) => m?.status === 'behind').length;
  return `overlay of ${shortText(view.baseline, 40)} · ${view.running} of ${view.total} workload${view.total === 1 ? '' : 's'}${behind > 0 ? ` · ${behind} behind` : ''}`;
}

/** A routed Service row's tooltip (names come from the cluster: sanitized and cut). */
export function routedServiceTooltip(environment: string, service: RoutedService): string {
  const [e, s, b] = [shortText(environment, 63), shortText(service.name, 63), shortText(service.baseline, 63)];
  const served = service.workloads === undefined
    ? `Which workload of ${b} serves it is not known here (T-Env does not watch the Services of ${b}); Add to Environment looks it up there.`
    : service.workloads.length === 0
      ? `No workload of ${b} matches its selector (as copied from ${b}): Add to Environment has nothing to run.`
      : `Served in ${b} by ${shortText(service.workloads.join(', '), 200)} (its selector, as copied from ${b}).\nAdd to Environment runs ${service.workloads.length === 1 ? 'it' : 'them'} here.`;
  return `Service ${s} of ${e} routes to the baseline ${b}: an ExternalName Service annotated t-env.dev/routed-to, so calls to ${s} reach ${s}.${b}.\n${served}`;
}

/** A routed workload row's tooltip, when the store may not list the overlay's Services (names sanitized and cut). */
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
