// Waiting for a woken environment: resolves once every Deployment and StatefulSet has its wanted
// pods ready, watching (never polling) either informers of its own or a live store's watches.
import type * as k8s from '@kubernetes/client-node';
import { ANNOTATION_REPLICAS_BEFORE_SLEEP } from '../core/environment.ts';
import { KINDS, SCALABLE_KINDS } from '../core/kinds.ts';
import type { ScalableKind } from '../core/kinds.ts';
import { CancelledError, TEnvError } from '../core/errors.ts';
import { kindClients } from './kinds.ts';
import { ResilientInformer, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';

export interface WaitUntilReadyOptions {
  signal?: AbortSignal | undefined;
  /** Default 5 minutes. */
  timeoutMs?: number | undefined;
  onProgress?: ((text: string) => void) | undefined;
  /** What to watch; the environment's own informers by default (see ReadinessSource). */
  source?: ReadinessSource | undefined;
  /**
   * `Deployment/api` labels a wake just patched (WakeResult.changedWorkloads): each is waited for
   * until it is seen without its sleep record, so a source that has not caught up with the wake
   * yet (a store) cannot report its old zero replicas as ready.
   */
  waking?: readonly string[] | undefined;
}

export interface ScalableStatus {
  metadata?: { name?: string | undefined; generation?: number | undefined; annotations?: Record<string, string> | undefined } | undefined;
  spec?: { replicas?: number | undefined } | undefined;
  status?: { observedGeneration?: number | undefined; readyReplicas?: number | undefined } | undefined;
}

/**
 * What waitUntilReady watches: informers of its own (the CLI, MCP), or a live store that already
 * watches the workloads (the extension: nothing new is listed or watched).
 */
export interface ReadinessSource {
  /** Resolves once the source has listed the namespace's workloads. */
  start(): Promise<void>;
  /** The namespace's Deployments and StatefulSets as last seen. */
  scalables(): readonly { kind: ScalableKind; items: readonly ScalableStatus[] }[];
  /** Calls back on every change it sees; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  stop(): Promise<void>;
}

/** Whether a workload is waited for at all: it wants pods, or a wake just patched it (waking below). */
function waitedFor(kind: ScalableKind, w: ScalableStatus, waking: ReadonlySet<string>): boolean {
  return (w.spec?.replicas ?? 1) > 0 || (waking.has(`${kind}/${w.metadata?.name ?? '?'}`) && w.metadata?.annotations?.[ANNOTATION_REPLICAS_BEFORE_SLEEP] !== undefined);
}

/** `Deployment/api (1/2 ready)` for every Deployment/StatefulSet whose wanted pods are not all ready yet. */
function notReady(kind: ScalableKind, items: readonly ScalableStatus[], waking: ReadonlySet<string>): string[] {
  return items.filter((w) => waitedFor(kind, w, waking)).flatMap((w) => {
    const label = `${kind}/${w.metadata?.name ?? '?'}`;
    if (w.metadata?.annotations?.[ANNOTATION_REPLICAS_BEFORE_SLEEP] !== undefined && waking.has(label)) return [`${label} (waking)`];
    const wanted = w.spec?.replicas ?? 1;
    const ready = w.status?.readyReplicas ?? 0;
    const observed = (w.status?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0);
    return !observed || ready < wanted ? [`${label} (${ready}/${wanted} ready)`] : [];
  });
}

/** The environment's Deployments and StatefulSets through informers of their own, which survive dropped watches. */
function informerSource(session: KubeSession, name: string): ReadinessSource {
  const kinds = kindClients(session.kc);
  const informers = SCALABLE_KINDS.map((kind) => [kind, new ResilientInformer(kinds[kind].informer(name)) as ResilientInformer<k8s.KubernetesObject & ScalableStatus>] as const);
  return {
    async start() {
      try {
        await Promise.all(informers.map(([, informer]) => informer.start()));
      } catch (error) {
        throw toTEnvError(error, session, `watch ${SCALABLE_KINDS.map((kind) => KINDS[kind].plural).join(' and ')} in namespace ${name}`);
      }
    },
    scalables: () => informers.map(([kind, informer]) => ({ kind, items: informer.list() })),
    onChange(listener) {
      for (const [, informer] of informers) {
        informer.on('add', listener);
        informer.on('update', listener);
        informer.on('delete', listener);
      }
      return () => undefined; // the informers stop with the source
    },
    async stop() { await Promise.all(informers.map(([, informer]) => informer.stop())); },
  };
}

/**
 * Resolves once every Deployment and StatefulSet of the environment has all its wanted pods
 * ready, watching (never polling). Rejects with a `timeout` error naming the workloads still
 * waiting, or `CancelledError` on abort.
 */
export async function waitUntilReady(session: KubeSession, name: string, options: WaitUntilReadyOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const source = options.source ?? informerSource(session, name);
  const waking = new Set(options.waking ?? []);
  const pending = (): string[] => source.scalables().flatMap(({ kind, items }) => notReady(kind, items, waking));
  const total = (): number => source.scalables().reduce((n, { kind, items }) => n + items.filter((w) => waitedFor(kind, w, waking)).length, 0);
  let lastProgress = '';
  let unsubscribe = (): void => undefined;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    let synced = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error); else resolve();
    };
    const check = (): void => {
      if (!synced || settled) return;
      const waiting = pending();
      const progress = `${name}: ${total() - waiting.length}/${total()} workloads ready${waiting.length ? `; waiting for ${waiting.slice(0, 3).join(', ')}${waiting.length > 3 ? ', …' : ''}` : ''}`;
      if (progress !== lastProgress) options.onProgress?.(progress);
      lastProgress = progress;
      if (waiting.length === 0) finish();
    };
    const onAbort = (): void => finish(new CancelledError(`Waiting for "${name}" to be ready`));
    const timer = setTimeout(() => {
      finish(new TEnvError('timeout', `The environment "${name}" was not ready after ${Math.round(timeoutMs / 1000)} s: ${pending().join(', ') || 'nothing listed yet'}.`, {
        hint: 'Look at the workloads\' events and logs: pods may be crash-looping, pulling images or unschedulable.', actions: ['retry', 'showLog'],
      }));
    }, timeoutMs);
    if (options.signal?.aborted) { onAbort(); return; }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribe = source.onChange(check);
    source.start().then(() => { synced = true; check(); }, (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
  }).finally(async () => {
    unsubscribe();
    if (!options.source) await source.stop();
  });
}
