// KEDA ScaledObjects of sleeping workloads on the real local control plane, with the ScaledObject
// CRD installed (keda.sh/v1alpha1; KEDA's controller itself is not running, only its API): paused
// at 0 while asleep, the pause lifted on wake, and a pause someone else set left alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { sleepEnvironment, wakeEnvironment } from '../../src/adapters/sleep.ts';
import { reconcileAll } from '../../src/adapters/sleeper.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const admin: KubeSession = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const name = `keda-it-${run}`;
const SCALED = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' };

async function annotationsOf(object: string): Promise<Record<string, string>> {
  const obj = await custom.getNamespacedCustomObject({ ...SCALED, namespace: name, name: object }) as { metadata?: { annotations?: Record<string, string> } };
  return obj.metadata?.annotations ?? {};
}

async function scaledObject(object: string, target: string, annotations: Record<string, string> = {}): Promise<void> {
  await custom.createNamespacedCustomObject({ ...SCALED, namespace: name, body: {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: object, annotations },
    spec: { scaleTargetRef: { name: target }, minReplicaCount: 0, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '2' } }] },
  } });
}

before(async () => {
  try {
    await extensions.createCustomResourceDefinition({ body: {
      metadata: { name: 'scaledobjects.keda.sh' },
      spec: {
        group: 'keda.sh', scope: 'Namespaced', names: { plural: 'scaledobjects', singular: 'scaledobject', kind: 'ScaledObject', listKind: 'ScaledObjectList' },
        versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
      },
    } });
  } catch (error) {
    if (!(error instanceof k8s.ApiException && error.code === 409)) throw error;
  }
  await eventually('the ScaledObject CRD to be served', async () => {
    const crd = await extensions.readCustomResourceDefinition({ name: 'scaledobjects.keda.sh' });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
  await createEnvironmentFixture(kc, {
    name, owner: `keda-it-${run}`, awakeHours: 'Mon-Fri 08:00-18:00', timezone: 'UTC',
    workloads: [{ kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'Deployment', name: 'web', replicas: 1 }, { kind: 'Deployment', name: 'keep', replicas: 1, annotations: { 't-env.dev/sleep': 'never' } }],
  });
  await eventually('ScaledObjects to be creatable', async () => { await scaledObject('api', 'api'); return true; });
  await scaledObject('web', 'web', { 'autoscaling.keda.sh/paused-replicas': '1' }); // paused by a person
  await scaledObject('keep', 'keep');
});

after(async () => {
  await core.deleteNamespace({ name }).catch(() => undefined);
});

describe('KEDA ScaledObjects of a sleeping environment', () => {
  it('a manual sleep pauses them at 0, a wake lifts only its own pause', async () => {
    const slept = await sleepEnvironment(admin, name);
    assert.deepEqual(slept.problems, []);
    assert.deepEqual(await annotationsOf('api'), { 'autoscaling.keda.sh/paused-replicas': '0', 't-env.dev/paused-by-sleep': 'true' });
    assert.deepEqual(await annotationsOf('web'), { 'autoscaling.keda.sh/paused-replicas': '1' }, 'a person\'s pause is theirs');
    assert.deepEqual(await annotationsOf('keep'), {}, 'its workload never sleeps');
    const again = await sleepEnvironment(admin, name);
    assert.equal(again.changed, 0);
    await wakeEnvironment(admin, name, { minimumHours: 1 });
    assert.deepEqual(await annotationsOf('api'), {});
    assert.deepEqual(await annotationsOf('web'), { 'autoscaling.keda.sh/paused-replicas': '1' });
  });

  it('the sleeper pauses them when the schedule sleeps and lifts the pause when it wakes', async () => {
    // The manual wake above holds until a real instant; the schedule takes over without it.
    await core.patchNamespace({ name, body: { metadata: { annotations: { 't-env.dev/awake-until': null } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await reconcileAll(admin, { selector: `t-env.dev/owner=keda-it-${run}`, now: new Date('2026-01-12T20:00:00Z') });
    assert.equal((await annotationsOf('api'))['autoscaling.keda.sh/paused-replicas'], '0');
    await reconcileAll(admin, { selector: `t-env.dev/owner=keda-it-${run}`, now: new Date('2026-01-13T09:00:00Z') });
    assert.deepEqual(await annotationsOf('api'), {});
  });
});
