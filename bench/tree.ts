// Tree model scenarios: first load at scale (time, heap), cluster change → model updated
// (informer) vs re-listing everything, and the cost of one change vs a full rebuild.
import * as k8s from '@kubernetes/client-node';
import { EnvironmentStore } from '../src/adapters/environment-store.ts';
import type { KubeSession } from '../src/adapters/kube.ts';
import { cronJobInfo, environmentInfo, podInfo, podOwner, scalableInfo } from '../src/core/environment.ts';
import { median, p95, round } from './stats.ts';

const gc = (globalThis as { gc?: () => void }).gc;

export async function benchFirstLoad(session: KubeSession, runs: number): Promise<{ medianMs: number; p95Ms: number; heapMb: number; environments: number; workloads: number }> {
  const times: number[] = [];
  const heaps: number[] = [];
  let environments = 0;
  let workloads = 0;
  for (let i = 0; i < runs; i++) {
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const store = new EnvironmentStore(session);
    await store.start();
    const envs = store.environments();
    times.push(performance.now() - started);
    gc?.();
    // Measured while the store (and its informer caches) is still referenced.
    heaps.push((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024);
    environments = envs.length;
    if (envs.length === 0) throw new Error('no environments loaded');
    workloads = envs.reduce((n, e) => n + e.workloads.length, 0);
    await store.dispose();
  }
  return { medianMs: round(median(times)), p95Ms: round(p95(times)), heapMb: round(Math.max(...heaps)), environments, workloads };
}

/** Re-lists every kind and rebuilds the model: what a polling tree would do for each change. */
async function relistModel(session: KubeSession, namespace: string): Promise<boolean | undefined> {
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  const apps = session.kc.makeApiClient(k8s.AppsV1Api);
  const batch = session.kc.makeApiClient(k8s.BatchV1Api);
  const [nss, deps, sts, cjs, pods] = await Promise.all([
    core.listNamespace({ labelSelector: 't-env.dev/environment=true' }), apps.listDeploymentForAllNamespaces(), apps.listStatefulSetForAllNamespaces(),
    batch.listCronJobForAllNamespaces(), core.listPodForAllNamespaces(),
  ]);
  let suspended: boolean | undefined;
  for (const ns of nss.items) {
    const name = ns.metadata!.name!;
    const podsOf = pods.items.filter((p) => p.metadata?.namespace === name).map((p) => ({ owner: podOwner(p), info: podInfo(p) }));
    const of = (kind: string, n: string) => podsOf.filter((p) => p.owner?.kind === kind && p.owner.name === n).map((p) => p.info);
    const workloads = [
      ...deps.items.filter((d) => d.metadata?.namespace === name).map((d) => scalableInfo('Deployment', d, of('Deployment', d.metadata!.name!))),
      ...sts.items.filter((d) => d.metadata?.namespace === name).map((d) => scalableInfo('StatefulSet', d, of('StatefulSet', d.metadata!.name!))),
      ...cjs.items.filter((d) => d.metadata?.namespace === name).map((d) => cronJobInfo(d, of('CronJob', d.metadata!.name!))),
    ];
    const env = environmentInfo(ns, workloads);
    if (name === namespace) suspended = env.workloads.find((w) => w.kind === 'CronJob')?.suspended;
  }
  return suspended;
}

export async function benchChangeLatency(session: KubeSession, namespace: string, cronJob: string, samples: number): Promise<{
  informer: { medianMs: number; p95Ms: number }; relist: { medianMs: number; p95Ms: number }; ratio: number;
}> {
  const batch = session.kc.makeApiClient(k8s.BatchV1Api);
  const store = new EnvironmentStore(session, { batchMs: 0 });
  await store.start();
  const informer: number[] = [];
  const relist: number[] = [];
  const patch = (suspend: boolean) => batch.patchNamespacedCronJob({ name: cronJob, namespace, body: { spec: { suspend } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  try {
    // Start from a resumed CronJob, whatever an earlier run left.
    await patch(false);
    while (store.environment(namespace)?.workloads.find((w) => w.name === cronJob)?.suspended !== false) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < samples; i++) {
      // Each round suspends (timed through the informer) and resumes (timed by re-listing), so
      // both measure a real change.
      const suspend = true;
      const seen = new Promise<void>((resolve) => {
        const off = store.onDidChange((names) => {
          if (names.has(namespace) && store.environment(namespace)?.workloads.find((w) => w.name === cronJob)?.suspended === suspend) {
            off();
            resolve();
          }
        });
      });
      const started = performance.now();
      await patch(suspend);
      await seen;
      informer.push(performance.now() - started);
      // Baseline: the same change observed by re-listing (one full list after the write).
      const relistStart = performance.now();
      await patch(!suspend);
      while ((await relistModel(session, namespace)) !== !suspend) { /* the write is visible on the next list */ }
      relist.push(performance.now() - relistStart);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await store.dispose();
  }
  return {
    informer: { medianMs: round(median(informer)), p95Ms: round(p95(informer)) },
    relist: { medianMs: round(median(relist)), p95Ms: round(p95(relist)) },
    ratio: round(median(relist) / median(informer), 2),
  };
}

/** CPU time to rebuild one environment's model after a change vs rebuilding all of them. */
export async function benchChangeCost(session: KubeSession, samples: number): Promise<{ oneEnvironmentUs: number; allEnvironmentsUs: number; ratio: number }> {
  const store = new EnvironmentStore(session);
  await store.start();
  const names = store.environments().map((e) => e.name);
  const internal = store as unknown as { cache: Map<string, unknown> };
  const one: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < samples; i++) {
    const name = names[i % names.length]!;
    internal.cache.delete(name);
    let t = performance.now();
    store.environment(name);
    one.push((performance.now() - t) * 1000);
    internal.cache.clear();
    t = performance.now();
    store.environments();
    all.push((performance.now() - t) * 1000);
  }
  await store.dispose();
  return { oneEnvironmentUs: round(median(one)), allEnvironmentsUs: round(median(all)), ratio: round(median(all) / median(one), 1) };
}
