// The extension's wake and Start Dev on the live store's data (issue #20, "use what is already
// known"): the wake writes without reading the namespace or listing workloads again, a stale copy
// costs a 409 and a re-read but loses nothing, a process killed between any two requests converges
// when run again, and waitUntilReady on the store's watches resolves only once the pods are ready.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import type { WorkloadSpec } from '../fixtures/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { EnvironmentStore } from '../../src/adapters/environment-store.ts';
import { environmentWorkloads } from '../../src/adapters/dev-mode.ts';
import { sleepEnvironment, wakeEnvironment } from '../../src/adapters/sleep.ts';
import { waitUntilReady } from '../../src/adapters/wait-ready.ts';
import type { ApiRequest } from '../../src/adapters/sleep-api.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const admin: KubeSession = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

const BEFORE = 't-env.dev/replicas-before-sleep';
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `store-wake-${run}`;
const created: string[] = [];
const WORKLOADS: WorkloadSpec[] = [
  { kind: 'Deployment', name: 'api', replicas: 2 },
  { kind: 'Deployment', name: 'web', replicas: 1 },
  { kind: 'StatefulSet', name: 'db', replicas: 1 },
  { kind: 'CronJob', name: 'report' },
];
const ORIGINAL: Record<string, number> = { api: 2, web: 1, db: 1 };

let store: EnvironmentStore;

async function createEnv(suffix: string): Promise<string> {
  const name = `store-wake-${run}-${suffix}`;
  created.push(name);
  await createEnvironmentFixture(kc, { name, owner, awakeHours: 'always', timezone: 'UTC', workloads: WORKLOADS });
  return name;
}

/**
 * Sleeps `name` and waits until the store holds what the cluster holds (every object at the
 * server's resourceVersion, once the controllers have settled the status): what the extension
 * holds when someone wakes an environment that slept for a while.
 */
async function asleepInStore(name: string): Promise<void> {
  await sleepEnvironment(admin, name);
  const versions = (objs: readonly { metadata?: { name?: string | undefined; resourceVersion?: string | undefined } | undefined }[]): string => objs.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort().join(',');
  await eventually(`${name} asleep and settled in the store`, async () => {
    const known = store.known(name);
    if (store.environment(name)?.state !== 'asleep' || !known) return false;
    const [ns, deployments, statefulSets, cronJobs, pods] = await Promise.all([core.readNamespace({ name }), apps.listNamespacedDeployment({ namespace: name }),
      apps.listNamespacedStatefulSet({ namespace: name }), kc.makeApiClient(k8s.BatchV1Api).listNamespacedCronJob({ namespace: name }), core.listNamespacedPod({ namespace: name })]);
    return pods.items.length === 0 && ns.metadata?.resourceVersion === known.namespace.metadata?.resourceVersion
      && versions([...deployments.items, ...statefulSets.items, ...cronJobs.items]) === versions(known.workloads.map((w) => w.obj));
  });
}

async function replicas(namespace: string): Promise<Record<string, { replicas: number; ready: number; recorded: string | undefined }>> {
  const [deployments, statefulSets] = await Promise.all([apps.listNamespacedDeployment({ namespace }), apps.listNamespacedStatefulSet({ namespace })]);
  return Object.fromEntries([...deployments.items, ...statefulSets.items].map((w) => [w.metadata!.name!, {
    replicas: w.spec?.replicas ?? 1, ready: w.status?.readyReplicas ?? 0, recorded: w.metadata?.annotations?.[BEFORE],
  }]));
}

function recording(): { hooks: { beforeRequest: (r: ApiRequest) => void }; requests: ApiRequest[] } {
  const requests: ApiRequest[] = [];
  return { hooks: { beforeRequest: (r) => { requests.push(r); } }, requests };
}

before(async () => {
  store = new EnvironmentStore(admin, { batchMs: 20 });
  await store.start();
});

after(async () => {
  await store.dispose();
  await Promise.all(created.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe('wake from the store', () => {
  it('writes without reading: no namespace read, no workload list; every count restored; the store wait resolves with the pods ready', async () => {
    const env = await createEnv('plain');
    await asleepInStore(env);
    const { hooks, requests } = recording();
    const result = await wakeEnvironment(admin, env, { minimumHours: 1, hooks, known: store.known(env), actor: { via: 'VS Code', user: 'alice' } });
    const reads = requests.filter((r) => (r.verb === 'get' || r.verb === 'list') && r.resource !== 'scaledobjects');
    assert.deepEqual(reads, [], 'nothing the store holds is read again');
    assert.ok(!requests.some((r) => r.resource === 'selfsubjectreviews'), 'the user is known: no SelfSubjectReview');
    assert.equal(result.changed, 4);
    assert.deepEqual([...result.changedWorkloads].sort(), ['CronJob/report', 'Deployment/api', 'Deployment/web', 'StatefulSet/db']);
    const progress: string[] = [];
    const source = store.readiness(env);
    assert.ok(source, 'the store watches the environment: the wait uses its watches');
    await waitUntilReady(admin, env, { source, waking: result.changedWorkloads, timeoutMs: 60_000, onProgress: (t) => progress.push(t) });
    const now = await replicas(env);
    for (const [name, count] of Object.entries(ORIGINAL)) {
      assert.equal(now[name]?.replicas, count, `${name} restored`);
      assert.equal(now[name]?.ready, count, `${name} ready when the wait resolved`);
      assert.equal(now[name]?.recorded, undefined);
    }
    assert.match(progress.at(-1) ?? '', /3\/3 workloads ready$/);
  });

  it('a stale copy (namespace and a workload changed after the store saw them) costs a 409 and a fresh read of both: the newer count is kept', async () => {
    const env = await createEnv('stale');
    await asleepInStore(env);
    const stale = store.known(env);
    assert.ok(stale);
    // A person edits the namespace and sets a sleeping workload's count before the wake goes out.
    await core.patchNamespace({ name: env, body: { metadata: { annotations: { 'example.com/touched': 'yes' } } } }, mergePatch);
    await apps.patchNamespacedDeployment({ namespace: env, name: 'web', body: { metadata: { annotations: { [BEFORE]: '3' } } } }, mergePatch);
    const { hooks, requests } = recording();
    const result = await wakeEnvironment(admin, env, { minimumHours: 1, hooks, known: stale });
    assert.deepEqual(result.problems, []);
    assert.ok(requests.some((r) => r.verb === 'get' && r.resource === 'namespaces'), 'the namespace was read again after its 409');
    assert.ok(requests.some((r) => r.verb === 'list' && r.resource === 'deployments'), 'and the workloads listed again with it');
    const now = await replicas(env);
    assert.equal(now['web']?.replicas, 3, 'the count recorded after the store looked wins');
    assert.equal(now['api']?.replicas, 2);
    const annotations = (await core.readNamespace({ name: env })).metadata?.annotations ?? {};
    assert.equal(annotations['example.com/touched'], 'yes');
    assert.ok(annotations['t-env.dev/awake-until']);
  });

  it('a copy taken while awake, woken after a sleep the store has not seen: the 409 on the marker has the workloads read afresh, and they wake', async () => {
    const env = await createEnv('unseen');
    await eventually('every workload in the store', () => Promise.resolve(store.environment(env)?.workloads.length === WORKLOADS.length));
    const awake = store.known(env);
    assert.ok(awake);
    await sleepEnvironment(admin, env);
    const result = await wakeEnvironment(admin, env, { minimumHours: 1, known: awake });
    assert.deepEqual([...result.changedWorkloads].sort(), ['CronJob/report', 'Deployment/api', 'Deployment/web', 'StatefulSet/db']);
    const now = await replicas(env);
    for (const [name, count] of Object.entries(ORIGINAL)) assert.equal(now[name]?.replicas, count, `${name} woken`);
  });

  it('killed between any two requests: run again from the store, nothing is lost', async () => {
    const env = await createEnv('crash');
    for (let k = 1; ; k++) {
      await asleepInStore(env);
      let n = 0;
      let crashed = false;
      const hooks = { beforeRequest: () => { if (crashed) throw new Error('dead'); if (++n === k) { crashed = true; throw new Error(`simulated crash at request ${k}`); } } };
      const first = await wakeEnvironment(admin, env, { minimumHours: 1, hooks, known: store.known(env) }).then(() => 'finished', () => 'crashed');
      // What the store holds after the crash may lag: a stale copy is what the next Wake starts from.
      await wakeEnvironment(admin, env, { minimumHours: 1, known: store.known(env) });
      const now = await replicas(env);
      for (const [name, count] of Object.entries(ORIGINAL)) {
        assert.equal(now[name]?.replicas, count, `crash at ${k}: ${name} restored`);
        assert.equal(now[name]?.recorded, undefined, `crash at ${k}: ${name} record removed`);
      }
      if (first === 'finished') break;
      assert.ok(k < 20, 'the wake ends within 20 requests');
    }
  });

  it('refuses a stored namespace that is not an environment, before any request', async () => {
    const env = await createEnv('refused');
    const known = store.known(env);
    assert.ok(known);
    const { hooks, requests } = recording();
    const forged = { ...known, namespace: { ...known.namespace, metadata: { ...known.namespace.metadata, labels: {} } } };
    await assert.rejects(wakeEnvironment(admin, env, { minimumHours: 1, hooks, known: forged }), { kind: 'not-environment' });
    assert.deepEqual(requests, []);
  });
});

describe('Start Dev from the store', () => {
  it('sees the same workloads (with labels) and the same asleep verdict as a fresh read, asleep and awake', async () => {
    const env = await createEnv('dev');
    await eventually('every workload in the store', () => Promise.resolve(store.environment(env)?.workloads.length === WORKLOADS.length));
    for (const phase of ['awake', 'asleep'] as const) {
      if (phase === 'asleep') await asleepInStore(env);
      const info = store.environment(env);
      assert.ok(info);
      const fromStore = await environmentWorkloads(admin, env, new Date(), info);
      const fresh = await environmentWorkloads(admin, env, new Date());
      const sorted = (w: typeof fresh.workloads): string[] => w.map((x) => `${x.kind}/${x.name} ${JSON.stringify(x.labels)}`).sort();
      assert.deepEqual(sorted(fromStore.workloads), sorted(fresh.workloads), phase);
      assert.equal(fromStore.asleep, phase === 'asleep');
      assert.equal(fresh.asleep, phase === 'asleep');
      assert.ok(fromStore.workloads.every((w) => Object.keys(w.labels ?? {}).length > 0), 'labels are there for okteto selectors');
    }
  });
});
