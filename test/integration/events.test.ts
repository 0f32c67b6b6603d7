// Warning events on the real control plane (the scheduler's FailedScheduling, a crash loop's
// BackOff) surface in the environment model and in `t env events`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import { EnvironmentStore } from '../../src/adapters/environment-store.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import { recentWarnings } from '../../src/core/environment.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const ns = 'events-it';
const cliPath = new URL('../../src/cli.ts', import.meta.url).pathname;

describe('warning events', () => {
  let store: EnvironmentStore;
  before(async () => {
    await createEnvironmentFixture(kc, { name: ns, owner: 'erin', workloads: [
      { kind: 'Deployment', name: 'crashy', replicas: 1, behaviour: 'crash-loop' },
      { kind: 'Deployment', name: 'fine', replicas: 1 },
    ] });
    // A pod that cannot be scheduled: no node has this label.
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: ns, body: {
      metadata: { name: 'unschedulable' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'unschedulable' } }, template: {
        metadata: { labels: { app: 'unschedulable' } },
        spec: { nodeSelector: { 'tenv-test/no-such-node': 'true' }, containers: [{ name: 'c', image: 'registry.example/x:1' }] },
      } },
    } });
    store = new EnvironmentStore(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }), { batchMs: 20 });
    await store.start();
  });
  after(async () => {
    await store.dispose();
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: ns });
  });

  it('marks the crash-looping workload and its pod with BackOff', async () => {
    const crashy = await eventually('BackOff on crashy', async () => {
      const w = store.environment(ns)?.workloads.find((x) => x.name === 'crashy');
      return w && recentWarnings(w.warnings, new Date()).some((e) => e.reason === 'BackOff') && w;
    }, 60_000);
    assert.equal(crashy.state, 'crash-loop');
    assert.ok(crashy.pods[0]!.warnings.some((e) => e.reason === 'BackOff' && e.object.startsWith('Pod ')));
    assert.equal(store.environment(ns)!.workloads.find((x) => x.name === 'fine')!.warnings.length, 0);
  });

  it('marks the workload whose pod cannot be scheduled with FailedScheduling', async () => {
    const w = await eventually('FailedScheduling', async () => {
      const x = store.environment(ns)?.workloads.find((y) => y.name === 'unschedulable');
      return x?.warnings.some((e) => e.reason === 'FailedScheduling') && x;
    }, 60_000);
    assert.equal(w.state, 'pending');
    assert.match(w.warnings.find((e) => e.reason === 'FailedScheduling')!.message, /node\(s\) didn't match Pod's node affinity\/selector/);
  });

  it('prints them with t env events, as text and JSON', async () => {
    const run = (args: string[]): Promise<string> => new Promise((resolve, reject) => {
      execFile(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', cliPath, ...args], { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, NO_COLOR: '1' } },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)));
    });
    const json = JSON.parse(await run(['env', 'events', ns, '--json'])) as { reason: string; workload: string }[];
    assert.ok(json.some((e) => e.reason === 'BackOff' && e.workload === 'crashy'));
    assert.ok(json.some((e) => e.reason === 'FailedScheduling' && e.workload === 'unschedulable'));
    const only = JSON.parse(await run(['env', 'events', ns, '--workload', 'crashy', '--json'])) as { workload: string }[];
    assert.ok(only.length > 0 && only.every((e) => e.workload === 'crashy'));
    assert.match(await run(['env', 'events', ns]), /BackOff\s+Pod crashy-/);
  });
});
