// Environments from a baseline: create from a baseline of N Deployments, N Services, N ConfigMaps
// and N/5 Secrets (one list per kind and one apply per object), then diff and refresh of the
// in-sync copy, which must cost lists (and namespace reads) only. Each run starts on a settled
// cluster: the baseline's pods, and the previous copy's, already run.
import * as k8s from '@kubernetes/client-node';
import type { KubeSession } from '../src/adapters/kube.ts';
import { createFromBaseline, diffEnvironment, refreshEnvironment } from '../src/adapters/baseline.ts';
import { RequestCounter } from '../src/adapters/sleep-api.ts';
import type { ApiRequest } from '../src/adapters/sleep-api.ts';
import { limited, median, round } from './stats.ts';

export interface BaselineBenchResult {
  workloads: number;
  objects: number;
  create: { medianMs: number; lists: number; writes: number; requests: number };
  diffMs: number;
  refresh: { medianMs: number; writes: number; requests: number };
}

/**
 * Waits until `pods` pods of `namespace` run: a baseline has been running for a while when someone
 * copies it, so the timings start once the cluster has scheduled (kwok: started) the pods of the
 * baseline just made, not while it is still working through them.
 */
export async function baselineSettled(core: k8s.CoreV1Api, namespace: string, pods: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const list = await core.listNamespacedPod({ namespace });
    if (list.items.filter((p) => p.status?.phase === 'Running').length >= pods) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the pods of ${namespace} did not all start within 5 minutes`);
}

async function ensureBaseline(kc: k8s.KubeConfig, name: string, workloads: number): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  await core.deleteNamespace({ name }).catch(() => undefined);
  for (let i = 0; i < 120 && await core.readNamespace({ name }).then(() => true, () => false); i++) await new Promise((r) => setTimeout(r, 500));
  await core.createNamespace({ body: { metadata: { name, labels: { 't-env.dev/baseline': 'true' } } } });
  const namespace = name;
  await limited(Array.from({ length: workloads }, (_, i) => i), 16, async (i) => {
    const app = `svc-${i}`;
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: app }, data: { URL: `http://svc-${(i + 1) % workloads}.${name}.svc.cluster.local` } } });
    if (i % 5 === 0) await core.createNamespacedSecret({ namespace, body: { metadata: { name: app }, stringData: { token: `t${i}` } } });
    await core.createNamespacedService({ namespace, body: { metadata: { name: app }, spec: { selector: { app }, ports: [{ port: 80 }] } } });
    await apps.createNamespacedDeployment({ namespace, body: { metadata: { name: app }, spec: { replicas: 2, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `registry.example/${app}:1` }] } } } } });
  });
  await baselineSettled(core, name, 2 * workloads);
}

export async function benchBaselineCopy(session: KubeSession, options: { workloads: number; runs: number; log?: (m: string) => void }): Promise<BaselineBenchResult> {
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  const base = 'bench-baseline';
  await ensureBaseline(session.kc, base, options.workloads);
  const createMs: number[] = [];
  const refreshMs: number[] = [];
  let create = { lists: 0, writes: 0, requests: 0 };
  let refresh = { writes: 0, requests: 0 };
  let diffMs = 0;
  let objects = 0;
  const envs: string[] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const env = `bench-copy-${Date.now().toString(36)}-${run}`;
      envs.push(env);
      const verbs: string[] = [];
      const counter = new RequestCounter();
      const hooks = { beforeRequest: (r: ApiRequest) => { verbs.push(r.resource === 'namespaces' ? `${r.verb} namespace` : r.verb); } };
      const started = performance.now();
      const result = await createFromBaseline(session, { name: env, baseline: base, owner: 'bench', timezone: 'UTC', awakeHours: 'always' }, { hooks, counter });
      createMs.push(performance.now() - started);
      objects = result.applied;
      create = { lists: verbs.filter((v) => v === 'list').length, writes: verbs.filter((v) => v === 'create' || v === 'apply').length, requests: counter.count };
      const diffStarted = performance.now();
      await diffEnvironment(session, env);
      diffMs = performance.now() - diffStarted;
      const refreshVerbs: string[] = [];
      const refreshCounter = new RequestCounter();
      const refreshStarted = performance.now();
      await refreshEnvironment(session, env, {}, { hooks: { beforeRequest: (r: ApiRequest) => { refreshVerbs.push(r.verb); } }, counter: refreshCounter });
      refreshMs.push(performance.now() - refreshStarted);
      refresh = { writes: refreshVerbs.filter((v) => v !== 'list' && v !== 'get').length, requests: refreshCounter.count };
      // The next run starts on a settled cluster too, not while this copy's pods are being started.
      await baselineSettled(core, env, options.workloads);
      options.log?.(`copy ${run + 1}/${options.runs}: ${Math.round(createMs.at(-1)!)} ms, refresh ${Math.round(refreshMs.at(-1)!)} ms`);
    }
  } finally {
    await Promise.all([...envs, base].map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
  }
  return {
    workloads: options.workloads, objects,
    create: { medianMs: round(median(createMs)), ...create },
    diffMs: round(diffMs),
    refresh: { medianMs: round(median(refreshMs)), ...refresh },
  };
}
