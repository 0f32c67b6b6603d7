// Environments from a baseline against the cluster: create (copy), diff, refresh and reset. The
// rules are pure and live in core/baseline-copy.ts and core/baseline-diff.ts; this file lists,
// applies (server-side apply, field manager `t-env`) and deletes, through SleepApi's request
// plumbing, so every request is counted, cancellable and seen by the fault hooks.
//
// Create is resumable: the namespace is created first with `t-env.dev/copy-pending`, then the
// objects are applied phase by phase (config before workloads), then the marker is removed. A run
// killed anywhere leaves either nothing or a pending namespace, which the same command resumes
// (applies are idempotent); any other existing namespace is refused.
import * as k8s from '@kubernetes/client-node';
import {
  ANNOTATION_BASELINE, ANNOTATION_COPY_PENDING, ANNOTATION_GIT_REF, asleepCopy, LABEL_BASELINE, needsNoOrder, neverCopyReason, prepareCopy,
} from '../core/baseline-copy.ts';
import type { KubeObject, PreparedCopy } from '../core/baseline-copy.ts';
import { diffWithBaseline, droppedCopies, planRefresh } from '../core/baseline-diff.ts';
import type { DiffEntry, Listed, RefreshOptions } from '../core/baseline-diff.ts';
import {
  ANNOTATION_ASLEEP_UNTIL, ANNOTATION_AWAKE_HOURS, ANNOTATION_REPLICAS_BEFORE_SLEEP, checkEnvironmentName,
} from '../core/environment.ts';
import { ForbiddenError, InvalidInputError, NotFoundError, TEnvError } from '../core/errors.ts';
import { COPY_KINDS, isWorkloadKind, KINDS } from '../core/kinds.ts';
import type { KindInfo, KindName } from '../core/kinds.ts';
import { ANNOTATION_OVERLAY, inferCallGraph, overlayCopies, overlayDiffEntries, planOverlay, routedCopy } from '../core/overlay-plan.ts';
import type { OverlayPlan, OverlayRequest } from '../core/overlay-plan.ts';
import { newEnvironmentNamespace, validateCreateInput } from './environments.ts';
import type { CreateEnvironmentInput } from './environments.ts';
import { kindClients } from './kinds.ts';
import { isApiStatus, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';
import { isApiError, runLimited, SleepApi } from './sleep-api.ts';
import type { ApiOptions } from './sleep-api.ts';

export interface BaselineOptions extends ApiOptions {
  onProgress?: ((text: string) => void) | undefined;
  /** Applies in flight at once (default 16). */
  concurrency?: number | undefined;
  /** Makes an unreadable kind or a rejected object fatal. */
  strict?: boolean | undefined;
  /** The clock for a TTL's `expires-at`. */
  now?: Date | undefined;
}

export interface BaselineInfo {
  readonly name: string;
  /** `t-env.dev/git-ref`: the branch CI/CD deploys into it. */
  readonly gitRef: string | undefined;
  /** `t-env.dev/awake-hours`: `auto` or hours when the sleeper sleeps it (core/baseline-sleep.ts); none otherwise. */
  readonly awakeHours: string | undefined;
}

/** An object the API server refused, by name (never its content). */
export interface RejectedObject {
  readonly kind: string;
  readonly name: string;
  readonly message: string;
}

export interface CopyResult {
  readonly environment: string;
  readonly baseline: string;
  /** Objects written (created into a new environment, or applied). */
  readonly applied: number;
  readonly rejected: readonly RejectedObject[];
  /** Kinds that could not be read (one line each, naming the kind). */
  readonly warnings: readonly string[];
  /** API requests made. */
  readonly requests: number;
  /** `t-env.dev/expires-at` of the new environment when it has a TTL (undefined when resuming). */
  readonly expiresAt?: string | undefined;
  /** For an overlay: what it runs, routes and leaves shared. */
  readonly plan?: OverlayPlan | undefined;
}

const DEFAULT_CONCURRENCY = 16;

/** Secrets' rejections may quote values: only quoted-free messages leave this file for them. */
function rejectionMessage(kind: string, error: k8s.ApiException<unknown>): string {
  let message = `HTTP ${error.code}`;
  try {
    const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as { message?: unknown } | undefined;
    if (typeof body?.message === 'string') message = body.message.slice(0, 300);
  } catch { /* keep the status */ }
  // eslint-disable-next-line no-control-regex
  message = message.replace(/[\x00-\x1f\x7f]/g, ' ');
  return kind === 'Secret' ? message.replace(/"[^"]*"/g, '"…"') : message;
}

/** Baseline reads and copy applies, shared with the overlay commands (adapters/overlay.ts). */
export class BaselineApi {
  readonly api: SleepApi;
  readonly session: KubeSession;
  private readonly core: k8s.CoreV1Api;
  private readonly kinds: ReturnType<typeof kindClients>;

  constructor(session: KubeSession, options: ApiOptions) {
    this.session = session;
    this.api = new SleepApi(session, options);
    this.core = session.kc.makeApiClient(k8s.CoreV1Api);
    this.kinds = kindClients(session.kc);
  }

  async readNamespace(name: string): Promise<k8s.V1Namespace | undefined> {
    try {
      return await this.api.call({ verb: 'get', resource: 'namespaces', namespace: undefined, name }, (c) => this.core.readNamespace({ name }, c));
    } catch (error) {
      if (isApiStatus(error, 404)) return undefined;
      throw toTEnvError(error, this.session, `get namespace ${name}`);
    }
  }

  async baselines(): Promise<BaselineInfo[]> {
    const list = await this.api.listNamespaces(`${LABEL_BASELINE}=true`).catch((error: unknown) => { throw toTEnvError(error, this.session, 'list namespaces'); });
    return list.map((ns) => ({ name: ns.metadata?.name ?? '', gitRef: ns.metadata?.annotations?.[ANNOTATION_GIT_REF], awakeHours: ns.metadata?.annotations?.[ANNOTATION_AWAKE_HOURS] })).filter((b) => b.name).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The baseline namespace, or one actionable error naming the baselines there are. */
  async readBaseline(name: string): Promise<k8s.V1Namespace> {
    const nameError = checkEnvironmentName(name);
    if (nameError) throw new InvalidInputError(nameError.replace('environment', 'baseline'));
    const ns = await this.readNamespace(name);
    if (ns?.metadata?.labels?.[LABEL_BASELINE] === 'true') return ns;
    const known = (await this.baselines().catch(() => [])).map((b) => b.name);
    const hint = known.length > 0 ? `Baselines in ${this.session.context}: ${known.join(', ')}.` : `Label the namespace CI/CD deploys main into: kubectl label namespace <name> ${LABEL_BASELINE}=true`;
    if (!ns) throw new NotFoundError(`The baseline "${name}"`, hint);
    throw new TEnvError('not-baseline', `The namespace "${name}" is not a baseline (it lacks the label ${LABEL_BASELINE}=true).`, { hint });
  }

  /** Every copyable object of a namespace; a kind that may not be listed is skipped with a warning. */
  async listCopyable(namespace: string, warnings: string[]): Promise<Listed[]> {
    const lists = await Promise.all(COPY_KINDS.map(async (kind): Promise<Listed[]> => {
      const client = this.kinds[kind];
      try {
        const list = await this.api.call({ verb: 'list', resource: client.info.plural, namespace, name: undefined }, (c) => client.list(namespace, {}, c));
        return list.items.map((obj) => ({ kind, obj: obj as unknown as KubeObject }));
      } catch (error) {
        if (!isApiStatus(error, 403)) throw toTEnvError(error, this.session, `list ${client.info.plural} in namespace ${namespace}`);
        warnings.push(`You may not list ${client.info.plural} in ${namespace}; ${client.info.plural} were skipped.`);
        return [];
      }
    }));
    return lists.flat();
  }

  /**
   * Applies copies phase by phase (config before workloads), and those that need no order
   * (core/baseline-copy.ts needsNoOrder: an overlay's routed Services) beside the phases;
   * refusals are collected, not thrown.
   */
  async applyAll(copies: readonly PreparedCopy[], options: BaselineOptions, what: string): Promise<{ applied: number; rejected: RejectedObject[] }> {
    const rejected: RejectedObject[] = [];
    let done = 0;
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    const applyOne = async (copy: PreparedCopy): Promise<void> => {
      const client = this.kinds[copy.kind];
      const namespace = copy.object.metadata?.namespace ?? '';
      try {
        await this.api.call({ verb: 'apply', resource: client.info.plural, namespace, name: copy.name }, (c) => client.apply(namespace, copy.name, copy.object, c));
      } catch (error) {
        if (!isApiError(error) || error.code === 401) throw toTEnvError(error, this.session, `apply ${client.info.plural} in namespace ${namespace}`);
        rejected.push({ kind: copy.kind, name: copy.name, message: rejectionMessage(copy.kind, error) });
      }
      done++;
      options.onProgress?.(`${what}: ${done} of ${copies.length} objects`);
    };
    const ordered = copies.filter((c) => !needsNoOrder(c));
    const phases = [...new Set(ordered.map((c) => (KINDS[c.kind] as KindInfo).copyPhase ?? 0))].sort();
    const inOrder = async (): Promise<void> => {
      for (const phase of phases) await runLimited(ordered.filter((c) => ((KINDS[c.kind] as KindInfo).copyPhase ?? 0) === phase), concurrency, applyOne);
    };
    // Both run to their end before an error is thrown: no write is left in flight behind it.
    const failed = (await Promise.allSettled([inOrder(), runLimited(copies.filter(needsNoOrder), concurrency, applyOne)])).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return { applied: done - rejected.length, rejected };
  }

  async deleteObject(kind: KindName, namespace: string, name: string): Promise<void> {
    const client = this.kinds[kind];
    try {
      await this.api.call({ verb: 'delete', resource: client.info.plural, namespace, name }, (c) => client.remove(namespace, name, c));
    } catch (error) {
      if (!isApiStatus(error, 404)) throw toTEnvError(error, this.session, `delete ${client.info.plural} in namespace ${namespace}`, `${kind}/${name}`);
    }
  }
}

function strictCheck(options: BaselineOptions, warnings: readonly string[], rejected: readonly RejectedObject[]): void {
  if (!options.strict) return;
  if (warnings.length > 0) throw new ForbiddenError(warnings.join(' '));
  if (rejected.length > 0) {
    throw new TEnvError('rejected', `The cluster refused ${rejected.map((r) => `${r.kind}/${r.name} (${r.message})`).join('; ')}.`, {
      hint: 'Fix those objects in the baseline, or run without --strict to copy the rest.',
    });
  }
}

/** The baselines of the cluster (namespaces labelled `t-env.dev/baseline=true`). */
export async function listBaselines(session: KubeSession, options: ApiOptions = {}): Promise<BaselineInfo[]> {
  return new BaselineApi(session, options).baselines();
}

export interface CreateFromBaselineInput extends CreateEnvironmentInput {
  baseline: string;
  /** Copy only part of the baseline and route the rest to it (core/overlay-plan.ts). */
  overlay?: OverlayRequest | undefined;
}

/**
 * Creates environment `input.name` as a working copy of `input.baseline`: a labelled namespace
 * (owner, time zone, awake hours, `t-env.dev/baseline`), then every copyable object of the
 * baseline, normalized, rewritten and sized for a developer. Bad input (unknown baseline, existing
 * namespace, invalid name) fails before anything is created; re-running an interrupted create
 * finishes it.
 */
export async function createFromBaseline(session: KubeSession, raw: CreateFromBaselineInput, options: BaselineOptions = {}): Promise<CopyResult> {
  const input = validateCreateInput(raw);
  const b = new BaselineApi(session, options);
  const start = b.api.counter.count;
  options.onProgress?.(`Reading baseline ${raw.baseline}…`);
  // Every read at once: the checks, the baseline's lists and who is creating (for the new
  // namespace). Nothing is written before all of them are in; a failed check wins over the rest.
  const warnings: string[] = [];
  const extra = { [ANNOTATION_BASELINE]: raw.baseline, [ANNOTATION_COPY_PENDING]: 'true', ...(raw.overlay ? { [ANNOTATION_OVERLAY]: 'true' } : {}) };
  const [baseline, existingRead, listedRead, namespaceRead] = await Promise.allSettled([
    b.readBaseline(raw.baseline), b.readNamespace(input.name), b.listCopyable(raw.baseline, warnings),
    newEnvironmentNamespace(session, input, { now: options.now, extra }),
  ]);
  if (baseline.status === 'rejected') throw baseline.reason;
  if (existingRead.status === 'rejected') throw existingRead.reason;
  const existing = existingRead.value;
  const annotations = existing?.metadata?.annotations ?? {};
  const resuming = existing !== undefined && annotations[ANNOTATION_BASELINE] === raw.baseline && annotations[ANNOTATION_COPY_PENDING] !== undefined;
  if (existing && !resuming) {
    const fromSame = annotations[ANNOTATION_BASELINE] === raw.baseline;
    throw new TEnvError('exists', `A namespace named "${input.name}" already exists${fromSame ? ` (an environment made from ${raw.baseline})` : ''}.`, {
      hint: fromSame ? `Bring it up to date with "t env refresh ${input.name}".` : 'Pick another name.',
    });
  }
  if (listedRead.status === 'rejected') throw listedRead.reason;
  const listed = listedRead.value;
  strictCheck(options, warnings, []);
  const target = { baseline: raw.baseline, environment: input.name };
  const plan = raw.overlay ? planOverlay(inferCallGraph(raw.baseline, listed), raw.overlay) : undefined;
  const copies = plan ? overlayCopies(plan, listed, target) : listed.filter((l) => neverCopyReason(l.kind, l.obj) === undefined).map((l) => prepareCopy(l.kind, l.obj, target));
  let expiresAt: string | undefined;
  if (!resuming) {
    if (namespaceRead.status === 'rejected') throw namespaceRead.reason;
    const created = namespaceRead.value;
    expiresAt = created.expiresAt;
    try {
      await b.api.call({ verb: 'create', resource: 'namespaces', namespace: undefined, name: input.name }, (c) => b.api.session.kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: created.body }, c));
    } catch (error) {
      if (isApiStatus(error, 409)) throw new TEnvError('exists', `A namespace named "${input.name}" already exists.`, { hint: 'Pick another name.' });
      throw toTEnvError(error, session, 'create namespaces');
    }
  }
  const { applied, rejected } = await b.applyAll(copies, options, `Copying ${raw.baseline} into ${input.name}`);
  strictCheck(options, [], rejected);
  try {
    await b.api.patchNamespace(input.name, { [ANNOTATION_COPY_PENDING]: null });
  } catch (error) {
    throw toTEnvError(error, session, `patch namespace ${input.name}`);
  }
  return { environment: input.name, baseline: raw.baseline, applied, rejected, warnings, requests: b.api.counter.count - start, expiresAt, plan };
}

export interface EnvironmentDiff {
  readonly environment: string;
  readonly baseline: string;
  readonly entries: readonly DiffEntry[];
  readonly warnings: readonly string[];
  /** The environment is asleep (a manual sleep, or workloads recorded by sleep). */
  readonly asleep: boolean;
  /** The environment is an overlay: entries cover what it runs (and new Services). */
  readonly overlay: boolean;
  /** For an overlay: new Services of the baseline that refresh routes to it. */
  readonly routeNew: readonly string[];
}

async function diffWith(b: BaselineApi, name: string): Promise<EnvironmentDiff> {
  const ns = await b.api.readEnvironment(name).catch((error: unknown) => { throw toTEnvError(error, b.session, `get namespace ${name}`); });
  const baseline = ns.metadata?.annotations?.[ANNOTATION_BASELINE];
  if (!baseline) {
    throw new TEnvError('no-baseline', `The environment "${name}" was not created from a baseline (it lacks the annotation ${ANNOTATION_BASELINE}).`, {
      hint: 'Create one with "t env create <name> --from <baseline>".',
    });
  }
  await b.readBaseline(baseline);
  const warnings: string[] = [];
  const [fromBaseline, here] = await Promise.all([b.listCopyable(baseline, warnings), b.listCopyable(name, warnings)]);
  const asleep = ns.metadata?.annotations?.[ANNOTATION_ASLEEP_UNTIL] !== undefined
    || here.some((l) => isWorkloadKind(l.kind) && l.obj.metadata?.annotations?.[ANNOTATION_REPLICAS_BEFORE_SLEEP] !== undefined);
  const entries = diffWithBaseline(baseline, fromBaseline, here);
  const overlay = ns.metadata?.annotations?.[ANNOTATION_OVERLAY] === 'true';
  const scoped = overlay ? overlayDiffEntries(baseline, entries) : { entries, routeNew: [] };
  return { environment: name, baseline, entries: scoped.entries, routeNew: scoped.routeNew, warnings, asleep, overlay };
}

/** Every object of the environment and its baseline with one status (lists only). */
export async function diffEnvironment(session: KubeSession, name: string, options: ApiOptions = {}): Promise<EnvironmentDiff> {
  return diffWith(new BaselineApi(session, options), name);
}

export interface RefreshResult extends CopyResult {
  /** Objects left alone on purpose (dev mode, changed here), one line each. */
  readonly skipped: readonly string[];
  /** Copies deleted because the baseline no longer has them (reset only). */
  readonly deleted: readonly string[];
}

async function refreshWith(b: BaselineApi, name: string, refresh: RefreshOptions, options: BaselineOptions, reset: boolean): Promise<RefreshResult> {
  const start = b.api.counter.count;
  options.onProgress?.(`Comparing ${name} with its baseline…`);
  const diff = await diffWith(b, name);
  strictCheck(options, diff.warnings, []);
  const plan = planRefresh(diff.entries, { ...refresh, force: refresh.force || reset });
  const target = { baseline: diff.baseline, environment: name, overlay: diff.overlay };
  const copies = plan.apply.map((e) => {
    if (e.status === 'only-in-baseline' && e.kind === 'Service' && diff.routeNew.includes(e.name)) return routedCopy(e.name, target);
    const copy = prepareCopy(e.kind, e.baseline!, target);
    // Never wake an asleep environment: its refreshed workloads stay asleep, recording the new size.
    return diff.asleep ? asleepCopy(copy) : copy;
  });
  const { applied, rejected } = copies.length > 0 ? await b.applyAll(copies, options, `Updating ${name} from ${diff.baseline}`) : { applied: 0, rejected: [] };
  const deleted: string[] = [];
  if (reset) {
    for (const entry of droppedCopies(diff.entries)) {
      await b.deleteObject(entry.kind, name, entry.name);
      deleted.push(`${entry.kind}/${entry.name}`);
    }
  }
  strictCheck(options, [], rejected);
  return {
    environment: name, baseline: diff.baseline, applied, rejected, warnings: diff.warnings, skipped: plan.skipped.map((s) => s.reason), deleted,
    requests: b.api.counter.count - start,
  };
}

/**
 * Brings `behind` objects to the baseline's current state and adds `only-in-baseline` ones; leaves
 * dev-mode workloads alone always and `changed-here` objects unless `force`; never deletes, never
 * wakes. An in-sync environment costs lists only.
 */
export async function refreshEnvironment(session: KubeSession, name: string, refresh: RefreshOptions = {}, options: BaselineOptions = {}): Promise<RefreshResult> {
  return refreshWith(new BaselineApi(session, options), name, refresh, options, false);
}

/** Refresh with force, then delete the copies the baseline no longer has (never objects made here). */
export async function resetEnvironment(session: KubeSession, name: string, options: BaselineOptions = {}): Promise<RefreshResult> {
  return refreshWith(new BaselineApi(session, options), name, { force: true }, options, true);
}

/** What reset would delete: copies the baseline no longer has (for the confirmation). */
export function resetDeletes(diff: EnvironmentDiff): string[] {
  return droppedCopies(diff.entries).map((e) => `${e.kind}/${e.name}`);
}
