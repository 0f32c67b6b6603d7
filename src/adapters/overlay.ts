// Overlay environments against the cluster: plan (lists only), create (the full copy's path with a
// plan), add and drop, Start Dev's check for a routed workload, and `--changed` (git and the okteto
// manifest, core/changed-services.ts). The rules are pure and live in core/overlay-plan.ts; reads, applies and
// deletes go through adapters/baseline.ts's BaselineApi (counted, cancellable, fault hooks).
import path from 'node:path';
import { baseRefCandidates, buildContexts, mapChangedFiles, serviceRoots } from '../core/changed-services.ts';
import type { ChangedServices } from '../core/changed-services.ts';
import { ANNOTATION_ASLEEP_UNTIL, ANNOTATION_REPLICAS_BEFORE_SLEEP } from '../core/environment.ts';
import { ANNOTATION_BASELINE, ANNOTATION_GIT_REF, asleepCopy } from '../core/baseline-copy.ts';
import { inDevMode } from '../core/baseline-diff.ts';
import type { Listed } from '../core/baseline-diff.ts';
import { ForbiddenError, TEnvError } from '../core/errors.ts';
import { isWorkloadKind } from '../core/kinds.ts';
import {
  ANNOTATION_OVERLAY, checkWorkloadNames, inferCallGraph, overlayNeeds as needs, overlayObjectCopies, planOverlay, routedCopy, routedTo, workloadsBehind,
} from '../core/overlay-plan.ts';
import type { CallGraph, ObjectRef, OverlayPlan, OverlayRequest } from '../core/overlay-plan.ts';
import { BaselineApi, createFromBaseline } from './baseline.ts';
import type { BaselineOptions, CopyResult, CreateFromBaselineInput } from './baseline.ts';
import { loadWorkspaceManifest } from './dev-mode.ts';
import { gitChanges } from './git.ts';
import type { GitOptions } from './git.ts';
import { toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';
import type { ApiOptions } from './sleep-api.ts';

/** Where to look for a developer's change. */
export interface ChangeSource {
  /** A folder of the git checkout (the okteto manifest is looked up there). */
  readonly folder: string;
  /** The okteto manifest, if not the default one of `folder`. */
  readonly manifest?: string | undefined;
  /** The base ref; default: the baseline's `t-env.dev/git-ref`, else origin/main, else main. */
  readonly base?: string | undefined;
}

/** The okteto services whose code changed in `source` (core/changed-services.ts); git and files only. */
export async function changedServices(source: ChangeSource, baselineGitRef: string | undefined, options: GitOptions = {}): Promise<ChangedServices> {
  const loaded = await loadWorkspaceManifest(source.folder, source.manifest);
  const changes = await gitChanges(path.dirname(loaded.path), baseRefCandidates(source.base, baselineGitRef), options);
  const manifestDir = path.relative(changes.root, path.dirname(loaded.path));
  const roots = serviceRoots(loaded.manifest, buildContexts(loaded.manifest.text), manifestDir);
  return mapChangedFiles(changes.base, changes.files, roots);
}

/** The baseline's `t-env.dev/git-ref` (the branch CI/CD deploys into it), read once. */
export async function baselineGitRef(session: KubeSession, baseline: string, options: ApiOptions = {}): Promise<string | undefined> {
  return (await new BaselineApi(session, options).readBaseline(baseline)).metadata?.annotations?.[ANNOTATION_GIT_REF];
}

/** `--changed`: the overlay request for what changed in `source`, plus `--with`/`--without`. */
export async function changedRequest(session: KubeSession, baseline: string, source: ChangeSource, extra: Pick<OverlayRequest, 'with' | 'without'>, options: ApiOptions = {}): Promise<OverlayRequest> {
  const changed = await changedServices(source, await baselineGitRef(session, baseline, options), options);
  return { ...extra, changed: new Map(changed.services.map((s) => [s.name, s.files])) };
}

export interface OverlayPlanResult {
  readonly plan: OverlayPlan;
  /** Kinds that could not be read (the plan may miss calls through them). */
  readonly warnings: readonly string[];
}

/** What an overlay of `baseline` would run, route and leave shared; changes nothing (lists only). */
export async function planOverlayFrom(session: KubeSession, baseline: string, request: OverlayRequest, options: ApiOptions = {}): Promise<OverlayPlanResult> {
  const b = new BaselineApi(session, options);
  await b.readBaseline(baseline);
  const warnings: string[] = [];
  const listed = await b.listCopyable(baseline, warnings);
  return { plan: planOverlay(inferCallGraph(baseline, listed), request), warnings };
}

/**
 * Creates environment `input.name` as an overlay of `input.baseline`: the planned workloads with
 * their Services and config, every other Service routed to the baseline. Same resumable path,
 * copy rules and bad-input rules as a full copy (createFromBaseline).
 */
export async function createOverlay(session: KubeSession, input: CreateFromBaselineInput, request: OverlayRequest, options: BaselineOptions = {}): Promise<CopyResult> {
  return createFromBaseline(session, { ...input, overlay: request }, options);
}

export interface OverlayChange {
  readonly environment: string;
  readonly baseline: string;
  /** Workloads added or dropped. */
  readonly workloads: readonly string[];
  /** Objects applied (copies and routed Services). */
  readonly applied: number;
  /** Objects deleted. */
  readonly deleted: readonly string[];
  /** Named workloads left as they were, with why. */
  readonly skipped: readonly string[];
}

interface OverlayState {
  readonly b: BaselineApi;
  readonly baseline: string;
  readonly graph: CallGraph;
  readonly listed: readonly Listed[];
  readonly here: readonly Listed[];
  /** Workload names the overlay runs now. */
  readonly running: ReadonlySet<string>;
  readonly asleep: boolean;
}

async function readOverlay(session: KubeSession, name: string, workloads: readonly string[], command: string, options: ApiOptions): Promise<OverlayState> {
  const b = new BaselineApi(session, options);
  const ns = await b.api.readEnvironment(name).catch((error: unknown) => { throw toTEnvError(error, session, `get namespace ${name}`); });
  const annotations = ns.metadata?.annotations ?? {};
  const baseline = annotations[ANNOTATION_BASELINE];
  if (!baseline || annotations[ANNOTATION_OVERLAY] !== 'true') {
    throw new TEnvError('not-overlay', `The environment "${name}" is not an overlay (it runs ${baseline ? `a full copy of ${baseline}` : 'no baseline'}).`, {
      hint: 'Create one with "t env create <name> --from <baseline> --only <workload,...>".',
    });
  }
  await b.readBaseline(baseline);
  const warnings: string[] = [];
  const [listed, here] = await Promise.all([b.listCopyable(baseline, warnings), b.listCopyable(name, warnings)]);
  if (warnings.length > 0) throw new ForbiddenError(warnings.join(' '));
  const graph = inferCallGraph(baseline, listed);
  checkWorkloadNames(graph, workloads, command);
  const running = new Set(here.filter((l) => isWorkloadKind(l.kind)).map((l) => l.obj.metadata?.name ?? ''));
  const asleep = annotations[ANNOTATION_ASLEEP_UNTIL] !== undefined
    || here.some((l) => isWorkloadKind(l.kind) && l.obj.metadata?.annotations?.[ANNOTATION_REPLICAS_BEFORE_SLEEP] !== undefined);
  return { b, baseline, graph, listed, here, running, asleep };
}

const find = (list: readonly Listed[], ref: ObjectRef): Listed | undefined => list.find((l) => l.kind === ref.kind && l.obj.metadata?.name === ref.name);

/**
 * For Start Dev: whether `namespace` is an overlay that routes the workload `name` to its baseline
 * (the baseline has it, the overlay does not run it). Undefined for any other environment.
 */
export async function routedWorkload(session: KubeSession, namespace: string, name: string, options: ApiOptions = {}): Promise<{ baseline: string } | undefined> {
  let s: OverlayState;
  try {
    s = await readOverlay(session, namespace, [], 't dev start', options);
  } catch (error) {
    if (error instanceof TEnvError && error.kind === 'not-overlay') return undefined;
    throw error;
  }
  return s.graph.workloads.has(name) && !s.running.has(name) ? { baseline: s.baseline } : undefined;
}

/**
 * Makes routed workloads run in the overlay: each one's workload, Services and config are copied
 * (a routed Service of the same name is replaced). An asleep overlay stays asleep.
 */
export async function addToOverlay(session: KubeSession, name: string, workloads: readonly string[], options: BaselineOptions = {}): Promise<OverlayChange> {
  return addWorkloads(await readOverlay(session, name, workloads, 't env add', options), name, workloads, options);
}

/**
 * The workloads of the overlay's baseline behind its Services `services` (routed rows of the tree
 * name Services, which need not be named like their workloads), from the baseline as listed now.
 * Refuses a Service the baseline no longer has or one that selects no workload there.
 */
export async function workloadsBehindServices(session: KubeSession, name: string, services: readonly string[], options: ApiOptions = {}): Promise<{ baseline: string; workloads: string[] }> {
  const s = await readOverlay(session, name, [], 'Add to Environment', options);
  return { baseline: s.baseline, workloads: workloadsBehind(s.graph, services, name) };
}

/** Add to Environment on routed Services: runs the baseline's workloads behind them in the overlay (as addToOverlay). */
export async function addServicesToOverlay(session: KubeSession, name: string, services: readonly string[], options: BaselineOptions = {}): Promise<OverlayChange> {
  const s = await readOverlay(session, name, [], 'Add to Environment', options);
  return addWorkloads(s, name, workloadsBehind(s.graph, services, name), options);
}

async function addWorkloads(s: OverlayState, name: string, workloads: readonly string[], options: BaselineOptions): Promise<OverlayChange> {
  const target = { baseline: s.baseline, environment: name };
  const skipped = workloads.filter((w) => s.running.has(w)).map((w) => `${w} already runs in ${name}`);
  const adding = workloads.filter((w) => !s.running.has(w));
  const copies = overlayObjectCopies(needs(s.graph, adding), s.listed, target)
    // What the overlay already has (config shared with a running workload) stays as it is.
    .filter((c) => !find(s.here, c) || routedTo(find(s.here, c)?.obj) !== undefined)
    .map((c) => (s.asleep ? asleepCopy(c) : c));
  const deleted: string[] = [];
  // A Service cannot turn from ExternalName into a selector Service in place: the routed one goes first.
  for (const c of copies.filter((x) => x.kind === 'Service' && routedTo(find(s.here, x)?.obj) !== undefined)) {
    await s.b.deleteObject('Service', name, c.name);
    deleted.push(`Service/${c.name}`);
  }
  const { applied, rejected } = await s.b.applyAll(copies, options, `Adding ${adding.join(', ')} to ${name}`);
  if (rejected.length > 0) throw new TEnvError('rejected', `The cluster refused ${rejected.map((r) => `${r.kind}/${r.name} (${r.message})`).join('; ')}.`);
  return { environment: name, baseline: s.baseline, workloads: adding, applied, deleted, skipped };
}

/**
 * Routes workloads of the overlay back to the baseline: each one's copy is deleted, its Services
 * become routed ones and its config goes unless a workload still running uses it. Refused for a
 * workload in Okteto dev mode.
 */
export async function dropFromOverlay(session: KubeSession, name: string, workloads: readonly string[], options: BaselineOptions = {}): Promise<OverlayChange> {
  const s = await readOverlay(session, name, workloads, 't env drop', options);
  const inDev = workloads.filter((w) => s.here.some((l) => isWorkloadKind(l.kind) && l.obj.metadata?.name === w && inDevMode(l.obj)));
  if (inDev.length > 0) {
    throw new TEnvError('dev-mode', `${inDev.join(', ')} ${inDev.length === 1 ? 'is' : 'are'} in dev mode in ${name}; nothing was dropped.`, {
      hint: `Stop dev mode first: t dev stop ${inDev[0]!} --env ${name}`,
    });
  }
  const skipped = workloads.filter((w) => !s.running.has(w)).map((w) => `${w} does not run in ${name}`);
  const dropping = workloads.filter((w) => s.running.has(w));
  const keep = new Set(needs(s.graph, [...s.running].filter((w) => !dropping.includes(w))).map((r) => `${r.kind}/${r.name}`));
  const gone = needs(s.graph, dropping).filter((r) => !keep.has(`${r.kind}/${r.name}`) && find(s.here, r));
  const deleted: string[] = [];
  // Workloads first, so no pod of theirs is left without its config.
  for (const r of [...gone.filter((x) => isWorkloadKind(x.kind)), ...gone.filter((x) => !isWorkloadKind(x.kind))]) {
    await s.b.deleteObject(r.kind, name, r.name);
    deleted.push(`${r.kind}/${r.name}`);
  }
  const target = { baseline: s.baseline, environment: name };
  const routed = gone.filter((r) => r.kind === 'Service').map((r) => routedCopy(r.name, target));
  const { applied, rejected } = await s.b.applyAll(routed, options, `Routing ${dropping.join(', ')} to ${s.baseline}`);
  if (rejected.length > 0) throw new TEnvError('rejected', `The cluster refused ${rejected.map((r) => `${r.kind}/${r.name} (${r.message})`).join('; ')}.`);
  return { environment: name, baseline: s.baseline, workloads: dropping, applied, deleted, skipped };
}
