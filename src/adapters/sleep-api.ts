// The request plumbing sleep, wake, the sleeper and the baseline copy share: every API call
// counted (RequestCounter), hooked (fault hooks that kill a flow between any two requests),
// cancellable (AbortSignal), with bounded parallelism (runLimited) and shaped when the server
// pushes back (429: core/request-shaping.ts).
import { setTimeout as delay } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { KINDS } from '../core/kinds.ts';
import type { WorkloadKind } from '../core/kinds.ts';
import { CancelledError } from '../core/errors.ts';
import { InFlightLimit, retryAfterMs, THROTTLE_RETRIES } from '../core/request-shaping.ts';
import { sanitizeText } from '../core/sanitize.ts';
import type { ScaledObjectLike } from '../core/keda.ts';
import type { SleepableObject, WorkloadPatch } from '../core/sleep-plan.ts';
import { readEnvironmentNamespace } from './environments.ts';
import { FIELD_MANAGER, kindClients } from './kinds.ts';
import type { KindClients } from './kinds.ts';
import { isApiStatus } from './kube.ts';
import type { KubeSession } from './kube.ts';

/** One API request, as the fault hooks see it. */
export interface ApiRequest {
  readonly verb: 'get' | 'list' | 'patch' | 'create' | 'apply' | 'delete';
  /** Plural resource, e.g. `deployments`. */
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** A list's label selector, when it has one (which namespaces a namespace list asks for). */
  readonly labelSelector?: string | undefined;
}

/**
 * Seams around every API request: fault injection in tests, and the sleeper's patch counter
 * (sleeper-metrics.ts). A hook that throws stands for the process dying at that point: no further
 * request is started, and the error comes out of the operation.
 */
export interface RequestHooks {
  beforeRequest?: ((request: ApiRequest) => void | Promise<void>) | undefined;
  afterRequest?: ((request: ApiRequest) => void | Promise<void>) | undefined;
}

/** Counts the HTTP requests sent through it, retries included. */
export class RequestCounter {
  count = 0;
  /** Of those, answered 429 (the server pushed back) and retried or given up. */
  throttled = 0;
}

export interface ApiOptions {
  /** Cancels the operation: no new request starts and requests in flight are aborted. */
  signal?: AbortSignal | undefined;
  hooks?: RequestHooks | undefined;
  /** Pass one in to total the requests of several operations. */
  counter?: RequestCounter | undefined;
}

/** Requests in flight at once for a batch of workload writes. */
export const DEFAULT_CONCURRENCY = 32;
/**
 * Requests in flight at once for a sleeper pass's thousands of writes: the API server commits
 * concurrent writes together, so a pass is as fast as bare patches only at this depth (bench:
 * `sleeper pass` against its bare-patch limit); the shaping below backs off where a cluster's API
 * Priority and Fairness says it is too much.
 */
export const PASS_CONCURRENCY = 256;
/** Fresh reads after a 409 before giving up. */
export const CONFLICT_RETRIES = 5;
const SCALED_OBJECTS = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' };

/** The API calls of sleep, wake and the sleeper, each counted, hooked and cancellable. */
export class SleepApi {
  readonly session: KubeSession;
  readonly counter: RequestCounter;
  private readonly options: ApiOptions;
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly kinds: KindClients;
  private readonly middleware: k8s.ObservableMiddleware;
  /** Shared by every request of this API (one sleep, wake or pass): see core/request-shaping.ts. */
  private readonly shape = new InFlightLimit(PASS_CONCURRENCY);
  private inFlight = 0;
  private readonly queued: (() => void)[] = [];

  constructor(session: KubeSession, options: ApiOptions = {}) {
    this.session = session;
    this.options = options;
    this.counter = options.counter ?? new RequestCounter();
    const kc = session.kc;
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.kinds = kindClients(kc);
    const counter = this.counter;
    const signal = options.signal;
    // The session's kubeconfig shares one keep-alive connection pool (see loadKubeConfig).
    this.middleware = {
      pre: (context) => {
        counter.count++;
        if (signal) context.setSignal(signal);
        return new k8s.Observable(Promise.resolve(context));
      },
      post: (response) => new k8s.Observable(Promise.resolve(response)),
    };
  }

  private config(patch: boolean): k8s.ConfigurationOptions {
    const base: k8s.ConfigurationOptions = { middleware: [this.middleware], middlewareMergeStrategy: 'append' };
    return patch ? k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch, base) : base;
  }

  /**
   * Runs one request through the hooks; cancellation becomes `CancelledError`. A 429 is retried
   * after its Retry-After, shaped with every other request of this API (core/request-shaping.ts);
   * the hooks see the request once, however often it was sent.
   */
  async call<T>(request: ApiRequest, send: (config: k8s.ConfigurationOptions) => Promise<T>): Promise<T> {
    const signal = this.options.signal;
    if (signal?.aborted) throw new CancelledError();
    await this.options.hooks?.beforeRequest?.(request);
    let result: T;
    for (let attempt = 0; ; attempt++) {
      await this.admit();
      try {
        result = await send(this.config(request.verb === 'patch'));
        this.shape.succeeded();
        break;
      } catch (error) {
        if (signal?.aborted) throw new CancelledError();
        if (!isApiStatus(error, 429)) throw error;
        this.counter.throttled++;
        if (attempt >= THROTTLE_RETRIES) throw error;
        const now = Date.now();
        this.shape.throttled(now, retryAfterMs(headerOf(error, 'retry-after'), now), this.inFlight);
      } finally {
        this.done();
      }
    }
    await this.options.hooks?.afterRequest?.(request);
    return result;
  }

  /** Waits until this API may send one more request (the push-back is over, a slot is free). */
  private async admit(): Promise<void> {
    const signal = this.options.signal;
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      const pause = this.shape.waitMs(Date.now());
      if (pause > 0) {
        await delay(pause, undefined, signal ? { signal } : {}).catch(() => undefined);
        continue;
      }
      if (this.inFlight < this.shape.limit) {
        this.inFlight++;
        return;
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.queued.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** A request ended: the next queued one may look again. */
  private done(): void {
    this.inFlight--;
    this.queued.shift()?.();
  }

  resourceOf(kind: WorkloadKind): string {
    return KINDS[kind].plural;
  }

  /** readEnvironmentNamespace through this API's request. */
  readEnvironment(name: string): Promise<k8s.V1Namespace> {
    return readEnvironmentNamespace(this.session, name, () => this.call({ verb: 'get', resource: 'namespaces', namespace: undefined, name }, (c) => this.core.readNamespace({ name }, c)));
  }

  listNamespaces(labelSelector: string): Promise<k8s.V1Namespace[]> {
    return this.call({ verb: 'list', resource: 'namespaces', namespace: undefined, name: undefined, labelSelector },
      async (c) => (await this.core.listNamespace({ labelSelector }, c)).items);
  }

  /**
   * One namespace, read with a list (`metadata.name` field selector): the sleeper's rights have
   * `list` on namespaces but not `get`. undefined when it no longer exists.
   */
  async readNamespaceByList(name: string): Promise<k8s.V1Namespace | undefined> {
    const items = await this.call({ verb: 'list', resource: 'namespaces', namespace: undefined, name },
      async (c) => (await this.core.listNamespace({ fieldSelector: `metadata.name=${name}` }, c)).items);
    return items[0];
  }

  /** Merge-patches namespace annotations (`null` removes one); with `resourceVersion`, a stale read gets a 409. */
  patchNamespace(name: string, annotations: Record<string, string | null>, resourceVersion?: string): Promise<unknown> {
    const body = { metadata: { ...(resourceVersion === undefined ? {} : { resourceVersion }), annotations } };
    return this.call({ verb: 'patch', resource: 'namespaces', namespace: undefined, name },
      (c) => this.core.patchNamespace({ name, body, fieldManager: FIELD_MANAGER }, c));
  }

  listWorkloads(kind: WorkloadKind, namespace: string | undefined): Promise<SleepableObject[]> {
    const api = this.kinds[kind];
    return this.call({ verb: 'list', resource: api.info.plural, namespace, name: undefined }, async (c) => (await api.list(namespace, {}, c)).items);
  }

  readWorkload(kind: WorkloadKind, namespace: string, name: string): Promise<SleepableObject> {
    const api = this.kinds[kind];
    return this.call({ verb: 'get', resource: api.info.plural, namespace, name }, (c) => api.read(namespace, name, c));
  }

  patchWorkload(kind: WorkloadKind, namespace: string, name: string, patch: WorkloadPatch): Promise<unknown> {
    const api = this.kinds[kind];
    return this.call({ verb: 'patch', resource: api.info.plural, namespace, name }, (c) => api.patch(namespace, name, patch, c));
  }

  /** An Event on a namespace (shown by `kubectl get events -n <env>`): Warning unless `type` says Normal. */
  createNamespaceEvent(namespace: string, reason: string, message: string, now: Date, type: 'Warning' | 'Normal' = 'Warning'): Promise<unknown> {
    const body: k8s.CoreV1Event = {
      metadata: { generateName: 't-env-sleeper-', namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: namespace, namespace },
      reason, message: sanitizeText(message).slice(0, 1024), type,
      source: { component: 't-env-sleeper' }, reportingComponent: 't-env.dev/sleeper', reportingInstance: 't-env-sleeper',
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    return this.call({ verb: 'create', resource: 'events', namespace, name: undefined }, (c) => this.core.createNamespacedEvent({ namespace, body }, c));
  }

  /** The KEDA ScaledObjects of a namespace (or all); none where KEDA is not installed (404). */
  async listScaledObjects(namespace: string | undefined): Promise<ScaledObjectLike[]> {
    try {
      return await this.call({ verb: 'list', resource: 'scaledobjects', namespace, name: undefined }, async (c) => {
        const list: unknown = namespace === undefined
          ? await this.custom.listClusterCustomObject(SCALED_OBJECTS, c)
          : await this.custom.listNamespacedCustomObject({ ...SCALED_OBJECTS, namespace }, c);
        return (list as { items?: ScaledObjectLike[] }).items ?? [];
      });
    } catch (error) {
      if (isApiStatus(error, 404)) return [];
      throw error;
    }
  }

  patchScaledObject(namespace: string, name: string, body: object): Promise<unknown> {
    return this.call({ verb: 'patch', resource: 'scaledobjects', namespace, name }, (c) => this.custom.patchNamespacedCustomObject({ ...SCALED_OBJECTS, namespace, name, body, fieldManager: FIELD_MANAGER }, c));
  }

  /** A ConfigMap's data (the company holidays of `t sleeper --holidays-configmap`). */
  async readConfigMapData(namespace: string, name: string): Promise<Record<string, string>> {
    const cm = await this.call({ verb: 'get', resource: 'configmaps', namespace, name }, (c) => this.core.readNamespacedConfigMap({ namespace, name }, c));
    return cm.data ?? {};
  }

  /** The caller's username (SelfSubjectReview, allowed to every authenticated user). */
  async whoAmI(): Promise<string> {
    const auth = this.session.kc.makeApiClient(k8s.AuthenticationV1Api);
    const review = await this.call({ verb: 'create', resource: 'selfsubjectreviews', namespace: undefined, name: undefined }, (c) => auth.createSelfSubjectReview({ body: {} }, c));
    return review.status?.userInfo?.username ?? '';
  }
}


/** A response header of an API error, by case-insensitive name. */
function headerOf(error: unknown, name: string): string | undefined {
  if (!isApiError(error)) return undefined;
  const headers: Record<string, string> = error.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** The API server answered with an error status (as opposed to a network failure or an abort). */
export function isApiError(error: unknown): error is k8s.ApiException<unknown> {
  return error instanceof k8s.ApiException;
}

/**
 * Runs `work` over `items`, at most `limit` at a time. On the first thrown error no new item is
 * started; the ones in flight finish, then the error is rethrown.
 */
export async function runLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
