// The kinds registry: every kind of core/kinds.ts as API calls (list, read, merge patch,
// server-side apply, delete) and as an informer, built from client-node's typed clients, whose
// method names follow one convention (`listNamespacedDeployment`, `patchNamespacedConfigMap`, …).
import * as k8s from '@kubernetes/client-node';
import { KINDS, resourcePath } from '../core/kinds.ts';
import type { KindInfo, KindName } from '../core/kinds.ts';

/** The field manager of every T-Env write (merge patches and server-side applies). */
export const FIELD_MANAGER = 't-env';

export interface ListOptions {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

/** One kind's API calls; each takes client-node options (middleware, headers) last. */
export interface KindClient {
  readonly info: KindInfo;
  /** In one namespace, or across all namespaces when `namespace` is undefined. */
  list(namespace: string | undefined, options?: ListOptions, config?: k8s.ConfigurationOptions): Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
  read(namespace: string, name: string, config?: k8s.ConfigurationOptions): Promise<k8s.KubernetesObject>;
  /** A JSON merge patch (`config` must carry the merge-patch content type). */
  patch(namespace: string, name: string, body: object, config?: k8s.ConfigurationOptions): Promise<k8s.KubernetesObject>;
  /** Server-side apply as T-Env's field manager, taking over conflicting fields. */
  apply(namespace: string, name: string, body: object, config?: k8s.ConfigurationOptions): Promise<k8s.KubernetesObject>;
  remove(namespace: string, name: string, config?: k8s.ConfigurationOptions): Promise<unknown>;
  /** A client-node informer over the kind (one namespace or all), with the list's selectors. */
  informer(namespace: string | undefined, options?: ListOptions): k8s.Informer<k8s.KubernetesObject> & k8s.ObjectCache<k8s.KubernetesObject>;
}

export type KindClients = Readonly<Record<KindName, KindClient>>;

type ApiClass = new (config: k8s.Configuration) => object;

const API_CLASSES: Record<string, ApiClass> = {
  '/v1': k8s.CoreV1Api, 'apps/v1': k8s.AppsV1Api, 'batch/v1': k8s.BatchV1Api, 'networking.k8s.io/v1': k8s.NetworkingV1Api, 'policy/v1': k8s.PolicyV1Api,
};

type Call = (param: Record<string, unknown>, config?: k8s.ConfigurationOptions) => Promise<unknown>;

const clientCache = new WeakMap<k8s.KubeConfig, KindClients>();

/** The registry for one kubeconfig (memoized: the typed clients are reused). */
export function kindClients(kc: k8s.KubeConfig): KindClients {
  const cached = clientCache.get(kc);
  if (cached) return cached;
  const apis = new Map<string, object>();
  const entries = (Object.keys(KINDS) as KindName[]).map((name): [KindName, KindClient] => {
    const info: KindInfo = KINDS[name];
    const key = `${info.group}/${info.version}`;
    const Api = API_CLASSES[key];
    if (!Api) throw new Error(`No client-node API class for ${key}`);
    let api = apis.get(key);
    if (!api) { api = kc.makeApiClient(Api); apis.set(key, api); }
    const method = (verb: string): Call => {
      const fn = (api as Record<string, unknown>)[verb];
      if (typeof fn !== 'function') throw new Error(`client-node has no ${verb}`);
      return (fn as Call).bind(api);
    };
    const listIn = method(`listNamespaced${info.kind}`);
    const listAll = method(`list${info.kind}ForAllNamespaces`);
    const read = method(`readNamespaced${info.kind}`);
    const patch = method(`patchNamespaced${info.kind}`);
    const remove = method(`deleteNamespaced${info.kind}`);
    const list: KindClient['list'] = async (namespace, options = {}, config) => {
      const selectors = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
      return (await (namespace === undefined ? listAll(selectors, config) : listIn({ namespace, ...selectors }, config))) as k8s.KubernetesListObject<k8s.KubernetesObject>;
    };
    return [name, {
      info,
      list,
      read: async (namespace, name, config) => (await read({ namespace, name }, config)) as k8s.KubernetesObject,
      patch: async (namespace, name, body, config) => (await patch({ namespace, name, body, fieldManager: FIELD_MANAGER }, config)) as k8s.KubernetesObject,
      apply: async (namespace, name, body, config) => (await patch({ namespace, name, body, fieldManager: FIELD_MANAGER, force: true },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply, config))) as k8s.KubernetesObject,
      remove: (namespace, name, config) => remove({ namespace, name }, config),
      informer: (namespace, options = {}) => new k8s.ListWatch(resourcePath(info, namespace), new k8s.Watch(kc), () => list(namespace, options), false, options.labelSelector, options.fieldSelector),
    }];
  });
  const clients = Object.fromEntries(entries) as KindClients;
  clientCache.set(kc, clients);
  return clients;
}
