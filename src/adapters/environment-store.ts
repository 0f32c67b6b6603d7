// A live, in-memory view of every T-Env environment in one cluster context, kept current by
// informers (list + watch, never polling). Changes are coalesced and reported per environment,
// so the tree refreshes only what changed. Baseline namespaces are watched too: a change in a
// baseline is reported for the baseline and for every environment made from it, whose workloads
// carry their diff status (core/baseline-view.ts) computed from the objects held here.
import * as k8s from '@kubernetes/client-node';
import {
  cronJobInfo, environmentInfo, LABEL_ENVIRONMENT, LABEL_OKTETO_CLONE, podInfo, podOwner, scalableInfo, warningInfo,
} from '../core/environment.ts';
import type { EnvironmentInfo, PodInfo, WarningInfo, WorkloadInfo, WorkloadKind } from '../core/environment.ts';
import { ANNOTATION_BASELINE, ANNOTATION_GIT_REF, LABEL_BASELINE } from '../core/baseline-copy.ts';
import type { KubeObject } from '../core/baseline-copy.ts';
import type { Listed } from '../core/baseline-diff.ts';
import { markOf, workloadMarks } from '../core/baseline-view.ts';
import type { BaselineMark, BaselineView } from '../core/baseline-view.ts';
import { childKindOf, KINDS, resourcePath, WORKLOAD_KINDS } from '../core/kinds.ts';
import type { KindName } from '../core/kinds.ts';
import { ANNOTATION_OVERLAY } from '../core/overlay-plan.ts';
import { overlayView } from '../core/overlay-view.ts';
import { kindClients } from './kinds.ts';
import type { ListOptions } from './kinds.ts';
import { isApiStatus, ResilientInformer, toTEnvError } from './kube.ts';
import type { InformerState, KubeSession } from './kube.ts';

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
      if (informer !== 'forbidden') await informer.stop();
    }
    await Promise.all(namespaces.filter((ns) => !this.informers.has(ns)).map(async (ns) => {
      const informer = this.make(ns);
      this.informers.set(ns, informer);
      try {
        await informer.start();
      } catch (error) {
        if (!isApiStatus(error, 403)) throw error;
        this.informers.set(ns, 'forbidden');
        this.onForbidden(ns, error instanceof Error ? error : new Error(String(error)));
      }
    }));
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

/** Kinds the store watches; each is one cluster-wide informer. */
const RESOURCES = ['namespaces', 'deployments', 'statefulsets', 'cronjobs', 'pods', 'events'] as const;
type Resource = (typeof RESOURCES)[number];
const RESOURCE_OF = { Deployment: 'deployments', StatefulSet: 'statefulsets', CronJob: 'cronjobs' } as const satisfies Record<WorkloadKind, Resource>;
const KIND_OF = { deployments: 'Deployment', statefulsets: 'StatefulSet', cronjobs: 'CronJob', pods: 'Pod', events: 'Event' } as const satisfies Record<Exclude<Resource, 'namespaces'>, KindName>;

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
      const resilient = new ResilientInformer<k8s.KubernetesObject>(informer, {
        onError: (error) => this.options.onLog?.(`watch ${resource} failed: ${toTEnvError(error, this.session, `watch ${resource}`).message}`),
        onState: (state) => this.connectionChanged(`${resource}${path}`, state),
      });
      const changed = (obj: k8s.KubernetesObject): void => this.objectChanged(resource, obj);
      resilient.on('add', changed);
      resilient.on('update', changed);
      resilient.on('delete', changed);
      return resilient;
    };
    // Only warnings: they mark workloads and pods in the tree (BackOff, FailedScheduling, …).
    const selectors: Partial<Record<Resource, ListOptions>> = { events: { fieldSelector: 'type=Warning' } };
    const watched = (r: Exclude<Resource, 'namespaces'>, ns?: string): ResilientInformer<k8s.KubernetesObject> => {
      const info = KINDS[KIND_OF[r]];
      return make(r, resourcePath(info, ns), kinds[KIND_OF[r]].informer(ns, selectors[r]));
    };
    const clusterWide: Record<Resource, () => ResilientInformer<k8s.KubernetesObject>> = {
      namespaces: () => make('namespaces', '/api/v1/namespaces', new k8s.ListWatch('/api/v1/namespaces', new k8s.Watch(kc), () => core.listNamespace({ labelSelector: selector }), false, selector)),
      deployments: () => watched('deployments'), statefulsets: () => watched('statefulsets'), cronjobs: () => watched('cronjobs'),
      pods: () => watched('pods'), events: () => watched('events'),
    };
    const namespaced = (r: Exclude<Resource, 'namespaces'>) => (ns: string): ResilientInformer<k8s.KubernetesObject> => watched(r, ns);
    const permissions: Record<Resource, string> = {
      namespaces: 'list namespaces', deployments: 'list deployments in all namespaces', statefulsets: 'list statefulsets in all namespaces',
      cronjobs: 'list cronjobs in all namespaces', pods: 'list pods in all namespaces', events: 'list events in all namespaces',
    };
    // Namespaces first: a 401/403/unreachable there is the most telling message.
    try {
      const namespaces = clusterWide.namespaces();
      this.informers.set('namespaces', namespaces);
      await namespaces.start();
      // Baselines are read only: their workloads are watched like an environment's (for the diff).
      const baselineSelector = `${LABEL_BASELINE}=true`;
      this.baselineNamespaces = make('namespaces', `/api/v1/namespaces?${baselineSelector}`,
        new k8s.ListWatch('/api/v1/namespaces', new k8s.Watch(kc), () => core.listNamespace({ labelSelector: baselineSelector }), false, baselineSelector));
      await this.baselineNamespaces.start();
      const watchedNamespaces = (): string[] => [...namespaces.list(), ...(this.baselineNamespaces?.list() ?? [])].map((n) => n.metadata?.name ?? '').filter(Boolean);
      await Promise.all(RESOURCES.filter((r): r is Exclude<Resource, 'namespaces'> => r !== 'namespaces').map(async (r) => {
        const informer = clusterWide[r]();
        this.informers.set(r, informer);
        try {
          await informer.start();
        } catch (error) {
          if (!isApiStatus(error, 403)) throw toTEnvError(error, this.session, permissions[r]);
          this.options.onLog?.(`You may not ${permissions[r]}; watching each environment namespace instead.`);
          const source = new PerNamespaceSource(namespaced(r), (ns, e) => this.options.onLog?.(`Skipping ${r} of ${ns}: ${toTEnvError(e, this.session, `list ${r} in ${ns}`).message}`));
          this.informers.set(r, source);
          this.perNamespace.set(r, source);
          await source.sync(watchedNamespaces());
        }
      }));
      if (this.perNamespace.size > 0) {
        // Environments come and go: keep one informer per environment namespace.
        const resync = (): void => {
          for (const source of this.perNamespace.values()) {
            source.sync(watchedNamespaces()).catch((e: unknown) => this.options.onLog?.(`watching a new environment failed: ${toTEnvError(e, this.session, 'watch an environment').message}`));
          }
        };
        for (const source of [namespaces, this.baselineNamespaces]) {
          source.on('add', resync);
          source.on('delete', resync);
        }
      }
    } catch (error) {
      const typed = toTEnvError(error, this.session, permissions.namespaces);
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
    if (resource === 'namespaces' || resource === 'deployments' || resource === 'statefulsets' || resource === 'cronjobs') {
      // A baseline (or its workloads) changed: so did the standing of every environment made from it.
      for (const env of this.environmentsFrom(name)) {
        this.cache.delete(env);
        this.pending.add(env);
      }
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

  /** The environments made from `baseline` (annotation `t-env.dev/baseline`). */
  private environmentsFrom(baseline: string): string[] {
    return (this.informers.get('namespaces')?.list() ?? []).filter((n) => n.metadata?.annotations?.[ANNOTATION_BASELINE] === baseline).map((n) => n.metadata?.name ?? '');
  }

  /** Every baseline of the cluster with its workloads, sorted by name (read-only views). */
  baselines(): BaselineView[] {
    return (this.baselineNamespaces?.list() ?? []).map((ns) => ({
      name: ns.metadata?.name ?? '', gitRef: ns.metadata?.annotations?.[ANNOTATION_GIT_REF], workloads: this.workloads(ns.metadata?.name ?? ''),
    })).filter((b) => b.name).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The workload objects of a namespace as the diff takes them. */
  private workloadObjects(namespace: string): Listed[] {
    return WORKLOAD_KINDS.flatMap((kind) => (this.informers.get(RESOURCE_OF[kind])?.list(namespace) ?? [])
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
      // Routed workloads come from the baseline's workloads the store already watches (no Service watch).
      if (ns.metadata?.annotations?.[ANNOTATION_OVERLAY] === 'true' && this.baselineNamespaces?.get(baseline)) {
        info.overlay = overlayView(baseline, this.workloadObjects(baseline).map((l) => l.obj.metadata?.name ?? ''), info.workloads.map((w) => w.name));
      }
    } else {
      this.marks.delete(name);
    }
    this.cache.set(name, info);
    return info;
  }

  /** Warning events of a namespace by involved object ("Pod/name", "ReplicaSet/name", …). */
  private warnings(namespace: string): Map<string, WarningInfo[]> {
    const byObject = new Map<string, WarningInfo[]>();
    for (const event of (this.informers.get('events')?.list(namespace) ?? []) as k8s.CoreV1Event[]) {
      const warning = warningInfo(event);
      if (!warning) continue;
      const key = `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`;
      byObject.set(key, [...(byObject.get(key) ?? []), warning]);
    }
    return byObject;
  }

  /** Warnings of a workload's own objects: itself, and its ReplicaSets or Jobs (by name prefix). */
  private static ownWarnings(warnings: Map<string, WarningInfo[]>, kind: WorkloadKind, name: string): WarningInfo[] {
    const result = [...(warnings.get(`${kind}/${name}`) ?? [])];
    const child = childKindOf(kind);
    if (child) {
      for (const [key, list] of warnings) if (key.startsWith(`${child}/${name}-`)) result.push(...list);
    }
    return result;
  }

  private workloads(namespace: string): WorkloadInfo[] {
    const pods = new Map<string, PodInfo[]>();
    const warnings = this.warnings(namespace);
    const deployments = (this.informers.get('deployments')?.list(namespace) ?? []) as k8s.V1Deployment[];
    const statefulSets = (this.informers.get('statefulsets')?.list(namespace) ?? []) as k8s.V1StatefulSet[];
    // `okteto up` runs the dev container in a `<name>-okteto` copy of the Deployment or
    // StatefulSet; the copy's pods belong to the original, and the copy is not listed itself.
    const clones = new Map<string, string>();
    const kinds: [WorkloadKind, readonly (k8s.V1Deployment | k8s.V1StatefulSet)[]][] = [['Deployment', deployments], ['StatefulSet', statefulSets]];
    for (const [kind, list] of kinds) {
      for (const w of list) {
        const name = w.metadata?.name ?? '';
        if (w.metadata?.labels?.[LABEL_OKTETO_CLONE]) clones.set(`${kind}/${name}`, name.replace(/-okteto$/, ''));
      }
    }
    for (const pod of (this.informers.get('pods')?.list(namespace) ?? []) as k8s.V1Pod[]) {
      const owner = podOwner(pod);
      if (!owner) continue;
      const name = clones.get(`${owner.kind}/${owner.name}`) ?? owner.name;
      const key = `${owner.kind}/${name}`;
      const list = pods.get(key) ?? [];
      const info = podInfo(pod);
      info.warnings = warnings.get(`Pod/${info.name}`) ?? [];
      list.push(info);
      pods.set(key, list);
    }
    const byName = (a: PodInfo, b: PodInfo): number => a.name.localeCompare(b.name);
    const podsOf = (kind: WorkloadKind, name: string): PodInfo[] => (pods.get(`${kind}/${name}`) ?? []).sort(byName);
    const result: WorkloadInfo[] = [];
    for (const d of deployments) {
      if (clones.has(`Deployment/${d.metadata!.name!}`)) continue;
      result.push(scalableInfo('Deployment', d, podsOf('Deployment', d.metadata!.name!), EnvironmentStore.ownWarnings(warnings, 'Deployment', d.metadata!.name!)));
    }
    for (const s of statefulSets) {
      if (clones.has(`StatefulSet/${s.metadata!.name!}`)) continue;
      result.push(scalableInfo('StatefulSet', s, podsOf('StatefulSet', s.metadata!.name!), EnvironmentStore.ownWarnings(warnings, 'StatefulSet', s.metadata!.name!)));
    }
    for (const c of (this.informers.get('cronjobs')?.list(namespace) ?? []) as k8s.V1CronJob[]) {
      result.push(cronJobInfo(c, podsOf('CronJob', c.metadata!.name!), EnvironmentStore.ownWarnings(warnings, 'CronJob', c.metadata!.name!)));
    }
    return result;
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
