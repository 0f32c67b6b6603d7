// A live, in-memory view of every T-Env environment in one cluster context, kept current by
// informers (list + watch, never polling). Changes are coalesced and reported per environment,
// so the tree refreshes only what changed. Baseline namespaces are watched too: a change in a
// baseline is reported for the baseline and for every environment made from it, whose workloads
// carry their diff status (core/baseline-view.ts) computed from the objects held here. Services
// are watched only where T-Env made them (label `t-env.dev/from-baseline`): an overlay's routed
// Services are its "→ main" rows (core/overlay-view.ts).
import * as k8s from '@kubernetes/client-node';
import { ANNOTATION_AWAKE_HOURS, environmentInfo, LABEL_ENVIRONMENT, LABEL_OKTETO_CLONE } from '../core/environment.ts';
import type { EnvironmentInfo, WorkloadInfo } from '../core/environment.ts';
import { environmentWorkloads } from '../core/environment-workloads.ts';
import { asError } from '../core/errors.ts';
import { ANNOTATION_BASELINE, ANNOTATION_GIT_REF, LABEL_BASELINE, LABEL_FROM_BASELINE } from '../core/baseline-copy.ts';
import type { KubeObject } from '../core/baseline-copy.ts';
import type { Listed } from '../core/baseline-diff.ts';
import { markOf, workloadMarks } from '../core/baseline-view.ts';
import type { BaselineMark, BaselineView } from '../core/baseline-view.ts';
import { isWorkloadKind, KINDS, resourcePath, SCALABLE_KINDS, WORKLOAD_KINDS } from '../core/kinds.ts';
import type { KindName } from '../core/kinds.ts';
import { ANNOTATION_OVERLAY } from '../core/overlay-plan.ts';
import { overlayView, routedServices } from '../core/overlay-view.ts';
import { kindClients } from './kinds.ts';
import type { ListOptions } from './kinds.ts';
import { isApiStatus, ResilientInformer, toTEnvError } from './kube.ts';
import type { InformerState, KubeSession } from './kube.ts';
import type { KnownEnvironment } from './sleep.ts';
import type { ReadinessSource } from './wait-ready.ts';

export type StoreStatus =
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'reconnecting'; error: Error }
  | { kind: 'failed'; error: Error };

export interface EnvironmentStoreOptions {
  /** Coalescing window for change notifications, in ms. */
  batchMs?: number;
  onLog?: (message: string) => void;
}

type Listener = (changed: ReadonlySet<string>) => void;

/** What the store reads from: one cluster-wide informer, or one informer per environment. */
interface Source {
  list(namespace?: string): readonly k8s.KubernetesObject[];
  get(name: string, namespace?: string): k8s.KubernetesObject | undefined;
  stop(): Promise<void>;
}

/**
 * Developers often may list workloads only in their own namespaces: when a cluster-wide list is
 * forbidden, the store watches each environment namespace on its own, and skips (with a log
 * line) the namespaces where even that is refused.
 */
class PerNamespaceSource implements Source {
  private readonly informers = new Map<string, ResilientInformer<k8s.KubernetesObject> | 'forbidden'>();
  /** Namespaces whose informer has its first list. */
  private readonly synced = new Set<string>();
  private readonly make: (namespace: string) => ResilientInformer<k8s.KubernetesObject>;
  private readonly onForbidden: (namespace: string, error: Error) => void;

  constructor(make: (namespace: string) => ResilientInformer<k8s.KubernetesObject>, onForbidden: (namespace: string, error: Error) => void) {
    this.make = make;
    this.onForbidden = onForbidden;
  }

  /** Starts informers for new environment namespaces and stops those of removed ones. */
  async sync(namespaces: readonly string[]): Promise<void> {
    const wanted = new Set(namespaces);
    for (const [ns, informer] of this.informers) {
      if (wanted.has(ns)) continue;
      this.informers.delete(ns);
      this.synced.delete(ns);
      if (informer !== 'forbidden') await informer.stop();
    }
    await Promise.all(namespaces.filter((ns) => !this.informers.has(ns)).map(async (ns) => {
      const informer = this.make(ns);
      this.informers.set(ns, informer);
      try {
        await informer.start();
        if (this.informers.get(ns) === informer) this.synced.add(ns);
      } catch (error) {
        if (!isApiStatus(error, 403)) throw error;
        this.informers.set(ns, 'forbidden');
        this.onForbidden(ns, asError(error));
      }
    }));
  }

  /** Whether `namespace` is watched and listed (not forbidden, not still starting). */
  watches(namespace: string): boolean {
    return this.synced.has(namespace);
  }

  list(namespace?: string): readonly k8s.KubernetesObject[] {
    if (namespace === undefined) return [...this.informers.values()].flatMap((i) => (i === 'forbidden' ? [] : i.list()));
    const informer = this.informers.get(namespace);
    return informer && informer !== 'forbidden' ? informer.list(namespace) : [];
  }

  get(name: string, namespace?: string): k8s.KubernetesObject | undefined {
    const informer = namespace === undefined ? undefined : this.informers.get(namespace);
    return informer && informer !== 'forbidden' ? informer.get(name, namespace) : undefined;
  }

  async stop(): Promise<void> {
    const all = [...this.informers.values()];
    this.informers.clear();
    await Promise.all(all.filter((i) => i !== 'forbidden').map((i) => i.stop()));
  }
}

/** Kinds the store watches besides environment namespaces; each is one cluster-wide informer. */
const WATCHED = [...WORKLOAD_KINDS, 'Pod', 'Event', 'Service'] as const satisfies readonly KindName[];
type Watched = (typeof WATCHED)[number];
type Resource = 'namespaces' | Watched;

/** `deployments`, for messages. */
function pluralOf(resource: Resource): string {
  return resource === 'namespaces' ? resource : KINDS[resource].plural;
}

export class EnvironmentStore {
  readonly session: KubeSession;
  private readonly options: EnvironmentStoreOptions;
  private readonly informers = new Map<Resource, Source>();
  private readonly perNamespace = new Map<Resource, PerNamespaceSource>();
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(status: StoreStatus) => void>();
  private readonly connection = new Map<string, InformerState>();
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Memoized environment views, dropped for an environment when anything in it changes. */
  private readonly cache = new Map<string, EnvironmentInfo>();
  /** Namespaces labelled as baselines (started after the environments' namespaces). */
  private baselineNamespaces: ResilientInformer<k8s.KubernetesObject> | undefined;
  /** Workload marks per environment, kept while neither side's workloads changed (by resourceVersion). */
  private readonly marks = new Map<string, { signature: string; marks: Map<string, BaselineMark> }>();
  private _status: StoreStatus = { kind: 'loading' };
  private disposed = false;

  constructor(session: KubeSession, options: EnvironmentStoreOptions = {}) {
    this.session = session;
    this.options = options;
  }

  get status(): StoreStatus {
    return this._status;
  }

  /** Called with the names of the environments that changed (coalesced). Returns an unsubscribe. */
  onDidChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onDidChangeStatus(listener: (status: StoreStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Lists and starts watching; resolves when every informer has its first list. */
  async start(): Promise<void> {
    const kc = this.session.kc;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const selector = `${LABEL_ENVIRONMENT}=true`;
    const kinds = kindClients(kc);
    const make = (resource: Resource, path: string, informer: k8s.Informer<k8s.KubernetesObject> & k8s.ObjectCache<k8s.KubernetesObject>): ResilientInformer<k8s.KubernetesObject> => {
      const plural = pluralOf(resource);
      const resilient = new ResilientInformer<k8s.KubernetesObject>(informer, {
        onError: (error) => this.options.onLog?.(`watch ${plural} failed: ${toTEnvError(error, this.session, `watch ${plural}`).message}`),
        onState: (state) => this.connectionChanged(path, state),
      });
      const changed = (obj: k8s.KubernetesObject): void => this.objectChanged(resource, obj);
      resilient.on('add', changed);
      resilient.on('update', changed);
      resilient.on('delete', changed);
      return resilient;
    };
    // Only warnings: they mark workloads and pods in the tree (BackOff, FailedScheduling, …). Only
    // the Services T-Env made (copies and routed Services): a cluster's own Services cost nothing.
    const selectors: Partial<Record<Watched, ListOptions>> = { Event: { fieldSelector: 'type=Warning' }, Service: { labelSelector: LABEL_FROM_BASELINE } };
    const watched = (kind: Watched, ns?: string): ResilientInformer<k8s.KubernetesObject> =>
      make(kind, resourcePath(KINDS[kind], ns), kinds[kind].informer(ns, selectors[kind]));
    // Namespaces first: a 401/403/unreachable there is the most telling message.
    try {
      const namespaces = make('namespaces', '/api/v1/namespaces', new k8s.ListWatch('/api/v1/namespaces', new k8s.Watch(kc), () => core.listNamespace({ labelSelector: selector }), false, selector));
      this.informers.set('namespaces', namespaces);
      await namespaces.start();
      // Baselines are read only: their workloads are watched like an environment's (for the diff).
      const baselineSelector = `${LABEL_BASELINE}=true`;
      this.baselineNamespaces = make('namespaces', `/api/v1/namespaces?${baselineSelector}`,
        new k8s.ListWatch('/api/v1/namespaces', new k8s.Watch(kc), () => core.listNamespace({ labelSelector: baselineSelector }), false, baselineSelector));
      await this.baselineNamespaces.start();
      // Baselines hold no Services T-Env made: per-namespace Service watches are for environments only.
      const watchedNamespaces = (kind: Watched): string[] => [...namespaces.list(), ...(kind === 'Service' ? [] : this.baselineNamespaces?.list() ?? [])]
        .map((n) => n.metadata?.name ?? '').filter(Boolean);
      await Promise.all(WATCHED.map(async (kind) => {
        const informer = watched(kind);
        this.informers.set(kind, informer);
        const plural = pluralOf(kind);
        try {
          await informer.start();
        } catch (error) {
          if (!isApiStatus(error, 403)) throw toTEnvError(error, this.session, `list ${plural} in all namespaces`);
          this.options.onLog?.(`You may not list ${plural} in all namespaces; watching each environment namespace instead.`);
          const source = new PerNamespaceSource((ns) => watched(kind, ns), (ns, e) => this.options.onLog?.(`Skipping ${plural} of ${ns}: ${toTEnvError(e, this.session, `list ${plural} in ${ns}`).message}`));
          this.informers.set(kind, source);
          this.perNamespace.set(kind, source);
          await source.sync(watchedNamespaces(kind));
        }
      }));
      if (this.perNamespace.size > 0) {
        // Environments come and go: keep one informer per environment namespace.
        const resync = (): void => {
          for (const [kind, source] of this.perNamespace) {
            source.sync(watchedNamespaces(kind as Watched)).catch((e: unknown) => this.options.onLog?.(`watching a new environment failed: ${toTEnvError(e, this.session, 'watch an environment').message}`));
          }
        };
        for (const source of [namespaces, this.baselineNamespaces]) {
          source.on('add', resync);
          source.on('delete', resync);
        }
      }
    } catch (error) {
      const typed = toTEnvError(error, this.session, 'list namespaces');
      await this.dispose();
      this.setStatus({ kind: 'failed', error: typed });
      throw typed;
    }
    this.setStatus({ kind: 'ready' });
    this.flush();
  }

  private connectionChanged(source: string, state: InformerState): void {
    this.connection.set(source, state);
    if (this._status.kind === 'loading' || this._status.kind === 'failed') return;
    const reconnecting = [...this.connection.values()].some((s) => s === 'reconnecting');
    if (reconnecting && this._status.kind === 'ready') {
      this.setStatus({ kind: 'reconnecting', error: new Error('The connection to the cluster was lost; reconnecting.') });
    } else if (!reconnecting && this._status.kind === 'reconnecting') {
      this.setStatus({ kind: 'ready' });
      // Anything may have changed while disconnected: every environment is refreshed.
      for (const name of this.environmentNames()) this.pending.add(name);
      this.cache.clear();
      this.schedule();
    }
  }

  private setStatus(status: StoreStatus): void {
    this._status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private objectChanged(resource: Resource, obj: k8s.KubernetesObject): void {
    const name = resource === 'namespaces' ? obj.metadata?.name : obj.metadata?.namespace;
    if (!name) return;
    if (resource === 'namespaces' || isWorkloadKind(resource)) {
      // A baseline (or its workloads) changed: so did the standing of every environment made from it.
      for (const env of this.environmentsFrom(name)) {
        this.cache.delete(env);
        this.pending.add(env);
      }
    }
    // A copy of a Service tells overlays of the same baseline which workloads serve their routed one.
    const from = resource === 'Service' ? obj.metadata?.labels?.[LABEL_FROM_BASELINE] : undefined;
    for (const env of from ? this.environmentsFrom(from, true) : []) {
      this.cache.delete(env);
      this.pending.add(env);
      this.schedule();
    }
    // Workloads and pods outside environments and baselines are watched but cost nothing beyond this check.
    if (resource !== 'namespaces' && !this.informers.get('namespaces')?.get(name) && !this.baselineNamespaces?.get(name) && !this.cache.has(name)) return;
    this.cache.delete(name);
    this.pending.add(name);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this._status.kind === 'loading') return;
    this.timer = setTimeout(() => this.flush(), this.options.batchMs ?? 50);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const changed = this.pending;
    this.pending = new Set();
    for (const listener of this.listeners) listener(changed);
  }

  private environmentNames(): string[] {
    return (this.informers.get('namespaces')?.list() ?? []).map((n) => n.metadata?.name ?? '').filter(Boolean);
  }

  /** The environments made from `baseline` (annotation `t-env.dev/baseline`), or only its overlays. */
  private environmentsFrom(baseline: string, overlaysOnly = false): string[] {
    return (this.informers.get('namespaces')?.list() ?? [])
      .filter((n) => n.metadata?.annotations?.[ANNOTATION_BASELINE] === baseline && (!overlaysOnly || n.metadata.annotations[ANNOTATION_OVERLAY] === 'true'))
      .map((n) => n.metadata?.name ?? '');
  }

  /** Every baseline of the cluster with its workloads, sorted by name (read-only views). */
  baselines(): BaselineView[] {
    return (this.baselineNamespaces?.list() ?? []).map((ns) => ({
      name: ns.metadata?.name ?? '', gitRef: ns.metadata?.annotations?.[ANNOTATION_GIT_REF], awakeHours: ns.metadata?.annotations?.[ANNOTATION_AWAKE_HOURS], workloads: this.workloads(ns.metadata?.name ?? ''),
    })).filter((b) => b.name).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The workload objects of a namespace as the diff takes them. */
  private workloadObjects(namespace: string): Listed[] {
    return WORKLOAD_KINDS.flatMap((kind) => (this.informers.get(kind)?.list(namespace) ?? [])
      .filter((obj) => !obj.metadata?.labels?.[LABEL_OKTETO_CLONE])
      .map((obj) => ({ kind, obj: obj as unknown as KubeObject })));
  }

  /** Marks the workloads of an environment made from a baseline the store watches (memoized by resourceVersions). */
  private markWorkloads(name: string, baseline: string, workloads: WorkloadInfo[]): void {
    if (!this.baselineNamespaces?.get(baseline)) return;
    const fromBaseline = this.workloadObjects(baseline);
    const here = this.workloadObjects(name);
    const signature = [...fromBaseline, ...here].map((l) => {
      const meta = l.obj.metadata;
      return `${l.kind}/${meta?.namespace ?? ''}/${meta?.name ?? ''}@${meta?.['resourceVersion'] as string | undefined ?? ''}`;
    }).join(',');
    let memo = this.marks.get(name);
    if (memo?.signature !== signature) {
      memo = { signature, marks: workloadMarks(baseline, fromBaseline, here) };
      this.marks.set(name, memo);
    }
    for (const w of workloads) w.baseline = markOf(memo.marks, w.kind, w.name);
  }

  /** Every environment, sorted by name. */
  environments(): EnvironmentInfo[] {
    return this.environmentNames().sort().map((name) => this.environment(name)).filter((e): e is EnvironmentInfo => e !== undefined);
  }

  /** One environment, or undefined when it does not exist (or is not a T-Env namespace). */
  environment(name: string): EnvironmentInfo | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const ns = this.informers.get('namespaces')?.get(name) as k8s.V1Namespace | undefined;
    if (!ns) {
      this.marks.delete(name);
      return undefined;
    }
    const info = environmentInfo(ns, this.workloads(name));
    const baseline = ns.metadata?.annotations?.[ANNOTATION_BASELINE];
    if (baseline) {
      info.baseline = baseline;
      this.markWorkloads(name, baseline, info.workloads);
      if (ns.metadata?.annotations?.[ANNOTATION_OVERLAY] === 'true' && this.baselineNamespaces?.get(baseline)) {
        const fromBaseline = this.workloadObjects(baseline);
        // A user who may not list the overlay's Services gets no routed Services: the tree falls
        // back to a row per routed workload (the baseline's workloads the overlay does not run).
        const services = (namespace?: string): KubeObject[] => (this.informers.get('Service')?.list(namespace) ?? []) as unknown as KubeObject[];
        const routed = this.watches('Service', name) ? routedServices(services(name), fromBaseline, services()) : undefined;
        info.overlay = overlayView(baseline, fromBaseline.map((l) => l.obj.metadata?.name ?? ''), info.workloads.map((w) => w.name), routed);
      }
    } else {
      this.marks.delete(name);
    }
    this.cache.set(name, info);
    return info;
  }

  /**
   * The environment's namespace and workloads as watched (the objects themselves, for sleep and
   * wake to plan their writes from without reading them again), or undefined when not watched.
   */
  known(name: string): KnownEnvironment | undefined {
    const namespace = this.informers.get('namespaces')?.get(name) as k8s.V1Namespace | undefined;
    if (!namespace || !this.watchesWorkloadsOf(name)) return undefined;
    return { namespace, workloads: WORKLOAD_KINDS.flatMap((kind) => (this.informers.get(kind)?.list(name) ?? []).map((obj) => ({ kind, obj: obj }))) };
  }

  /**
   * Whether the store is connected and lists every workload kind of `name` (per-namespace
   * watches: not forbidden, not still starting): only then is what it holds "what is there".
   */
  private watchesWorkloadsOf(name: string): boolean {
    return this._status.kind === 'ready' && WORKLOAD_KINDS.every((kind) => this.watches(kind, name));
  }

  /** Whether `kind` is listed in namespace `name` (cluster-wide, or its per-namespace watch is not forbidden nor still starting). */
  private watches(kind: Watched, name: string): boolean {
    const source = this.informers.get(kind);
    return source !== undefined && (!(source instanceof PerNamespaceSource) || source.watches(name));
  }

  /**
   * The environment's Deployments and StatefulSets for waitUntilReady, from the watches the store
   * already has; undefined when the store does not watch them (then the wait watches on its own).
   */
  readiness(name: string): ReadinessSource | undefined {
    if (!this.watchesWorkloadsOf(name)) return undefined;
    return {
      start: () => Promise.resolve(),
      scalables: () => SCALABLE_KINDS.map((kind) => ({ kind, items: (this.informers.get(kind)?.list(name) ?? []) })),
      onChange: (listener) => this.onDidChange((names) => { if (names.has(name)) listener(); }),
      stop: () => Promise.resolve(),
    };
  }

  private workloads(namespace: string): WorkloadInfo[] {
    const list = (kind: Watched): readonly k8s.KubernetesObject[] => this.informers.get(kind)?.list(namespace) ?? [];
    return environmentWorkloads({
      scalable: { Deployment: list('Deployment'), StatefulSet: list('StatefulSet') },
      cronJobs: list('CronJob'),
      pods: list('Pod'),
      events: list('Event') as readonly k8s.CoreV1Event[],
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    await Promise.all([...this.informers.values(), ...(this.baselineNamespaces ? [this.baselineNamespaces] : [])].map((i) => i.stop()));
  }
}
