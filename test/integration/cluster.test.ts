// The local control plane itself: real scheduling, scaling, log streaming, RBAC and watch recovery.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { attachCluster, startCluster } from '../cluster/cluster.ts';
import { createWorkload, eventually, runningPods } from '../fixtures/environments.ts';
import { ResilientInformer } from '../../src/adapters/kube.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const ns = 'cluster-smoke';

describe('local control plane', () => {
  before(async () => {
    await core.createNamespace({ body: { metadata: { name: ns } } });
  });
  after(async () => {
    await core.deleteNamespace({ name: ns });
  });

  it('runs a Deployment with 2 replicas and removes its pods when scaled to 0', async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'api', replicas: 2 });
    const pods = await eventually('2 running pods', async () => {
      const running = await runningPods(kc, ns, 'api');
      return running.length === 2 && running;
    });
    assert.ok(pods.every((p) => p.spec?.nodeName === 'kwok-node-0'), 'scheduled by kube-scheduler onto the kwok node');
    await apps.patchNamespacedDeployment({ name: 'api', namespace: ns, body: { spec: { replicas: 0 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await eventually('no pods left', async () => {
      const all = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=api' });
      return all.items.length === 0;
    });
  });

  it('streams followed container logs through client-node, including lines appended later', async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'logger', replicas: 1 });
    const [pod] = await eventually('a running pod', async () => {
      const running = await runningPods(kc, ns, 'logger');
      return running.length === 1 && running;
    });
    const podName = pod!.metadata!.name!;
    await cluster.appendLog(ns, podName, 'logger', ['before follow']);
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => { text += d.toString('utf8'); });
    // Aborting a followed stream makes client-node's internal source stream emit an AbortError
    // that nothing handles (client-node 2.0.1); it reaches us through the 'pipe' event.
    const aborted = new Promise<unknown>((resolve) => out.on('pipe', (source: NodeJS.ReadableStream) => source.on('error', resolve)));
    const controller = await new k8s.Log(kc).log(ns, podName, 'logger', out, { follow: true });
    try {
      await eventually('the earlier line', async () => text.includes('before follow'), 15_000);
      await cluster.appendLog(ns, podName, 'logger', ['after follow 1', 'after follow 2']);
      await eventually('the appended lines', async () => text.includes('after follow 2'), 15_000);
      assert.match(text, /before follow\nafter follow 1\nafter follow 2\n/);
    } finally {
      controller.abort();
    }
    assert.equal((await aborted as Error).name, 'AbortError');
  });

  it('enforces RBAC: a user without rights may not list namespaces', async () => {
    const userKc = new k8s.KubeConfig();
    userKc.loadFromFile(cluster.userKubeconfig('alice', ['developers']));
    await assert.rejects(userKc.makeApiClient(k8s.CoreV1Api).listNamespace(), (e: unknown) => e instanceof k8s.ApiException && e.code === 403);
  });

  it('lets an informer recover after an API server restart without missing an update', async () => {
    // client-node's informer stops on a connection error; T-Env's ResilientInformer restarts it
    // from the last resourceVersion.
    const errors: unknown[] = [];
    const informer = new ResilientInformer(
      k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns })),
      { initialDelayMs: 200, onError: (e) => errors.push(e) },
    );
    const seen = new Set<string>();
    informer.on('add', (cm: k8s.V1ConfigMap) => seen.add(cm.metadata!.name!));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before-restart' } } });
      await eventually('the first add', async () => seen.has('before-restart'));
      await cluster.restartApiServer();
      // Written right after the restart, before the informer has re-established its watch.
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after-restart' } } });
      await eventually('the add made across the restart', async () => seen.has('after-restart'), 60_000);
      assert.ok(errors.length > 0, 'the watch really dropped during the restart');
    } finally {
      await informer.stop();
    }
  });

  it('stops every process, even after another process restarted the API server', async () => {
    const own = await startCluster();
    // What a test process does through T_ENV_CLUSTER_DIR while with-cluster holds the cluster.
    await attachCluster(own.dir).restartApiServer(100);
    const pids = Object.values(attachCluster(own.dir).state.pids);
    assert.equal(pids.length, 5);
    await own.stop();
    const alive = pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
    assert.deepEqual(alive, [], 'no orphan process');
  });
});
