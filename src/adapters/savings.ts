// What `t report` reads: environment namespaces (their sleep ledgers and schedules) and the
// Deployments and StatefulSets whose requests sleep with them. One-shot lists: cluster-wide when
// allowed, per environment after a 403.
import { LABEL_ENVIRONMENT, LABEL_OWNER } from '../core/environment.ts';
import type { SavingsInput } from '../core/savings.ts';
import type { RequestingWorkload } from '../core/savings.ts';
import { isApiStatus, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';
import { runLimited, SleepApi } from './sleep.ts';
import type { ApiOptions } from './sleep.ts';

/** Which environments: one by name, one owner's (label), or every one. */
export type SavingsScope = { readonly env: string } | { readonly owner: string } | { readonly all: true };

const KINDS = ['Deployment', 'StatefulSet'] as const;

/** The report's input for every environment in scope, with its workloads. */
export async function loadSavingsInputs(session: KubeSession, scope: SavingsScope, options: ApiOptions = {}): Promise<SavingsInput[]> {
  const api = new SleepApi(session, options);
  const failed = (what: string) => (error: unknown): never => { throw toTEnvError(error, session, what); };
  const namespaces = 'env' in scope
    ? [await api.readEnvironment(scope.env)]
    : await api.listNamespaces([`${LABEL_ENVIRONMENT}=true`, ...('owner' in scope ? [`${LABEL_OWNER}=${scope.owner}`] : [])].join(',')).catch(failed('list namespaces'));
  const byNamespace = new Map<string, { kind: string; workload: RequestingWorkload }[]>(namespaces.map((ns) => [ns.metadata?.name ?? '', []]));
  const perNamespace = async (kind: typeof KINDS[number]): Promise<void> => {
    await runLimited([...byNamespace.keys()], 16, async (namespace) => {
      const items = await api.listWorkloads(kind, namespace).catch(failed(`list ${api.resourceOf(kind)} in namespace ${namespace}`));
      for (const workload of items) byNamespace.get(namespace)?.push({ kind, workload });
    });
  };
  await Promise.all(KINDS.map(async (kind) => {
    if ('env' in scope || byNamespace.size === 0) return perNamespace(kind);
    let items;
    try {
      items = await api.listWorkloads(kind, undefined);
    } catch (error) {
      if (isApiStatus(error, 403)) return perNamespace(kind); // may list only in some namespaces
      return failed(`list ${api.resourceOf(kind)} in all namespaces`)(error);
    }
    for (const workload of items) byNamespace.get(workload.metadata?.namespace ?? '')?.push({ kind, workload });
  }));
  return namespaces.map((ns) => ({
    name: ns.metadata?.name ?? '',
    owner: ns.metadata?.labels?.[LABEL_OWNER] ?? '',
    annotations: ns.metadata?.annotations,
    workloads: byNamespace.get(ns.metadata?.name ?? '') ?? [],
  }));
}
