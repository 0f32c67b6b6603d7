import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../test/cluster/cluster.ts';
const kc = attachCluster().kubeConfig();
const ns = process.argv[2]!;
const apps = kc.makeApiClient(k8s.AppsV1Api);
for (const d of [...(await apps.listNamespacedDeployment({ namespace: ns })).items, ...(await apps.listNamespacedStatefulSet({ namespace: ns })).items])
  console.log(d.kind ?? '', d.metadata?.name, JSON.stringify(d.metadata?.labels), JSON.stringify(d.metadata?.annotations), 'replicas', d.spec?.replicas, 'ready', d.status?.readyReplicas, JSON.stringify(d.spec?.selector));
const pods = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: ns });
for (const p of pods.items) console.log('pod', p.metadata?.name, p.status?.phase, JSON.stringify(p.metadata?.labels), p.metadata?.deletionTimestamp ? 'deleting' : '');
