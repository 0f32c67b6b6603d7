// Baseline copies: the never-copy rules, normalization, the namespace rewrite, sizes, hashes and
// the diff statuses with what refresh and reset make of them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANNOTATION_BASELINE_HASH, ANNOTATION_COPY_HASH, asleepCopy, canonicalJson, developerReplicas, imagesOf, LABEL_FROM_BASELINE, neverCopyReason,
  normalizeBaselineObject, objectHash, prepareCopy, rewriteIngressHost, rewriteNamespaceReferences,
} from '../../src/core/baseline-copy.ts';
import type { KubeObject } from '../../src/core/baseline-copy.ts';
import { diffJson, diffWithBaseline, droppedCopies, planRefresh } from '../../src/core/baseline-diff.ts';
import type { Listed } from '../../src/core/baseline-diff.ts';
import { COPY_KINDS } from '../../src/core/kinds.ts';

const target = { baseline: 'main', environment: 'jane' };

function deployment(name: string, image: string, extra: { annotations?: Record<string, string>; env?: { name: string; value: string }[]; replicas?: number } = {}): KubeObject {
  return {
    metadata: { name, namespace: 'main', uid: 'u1', resourceVersion: '9', generation: 3, creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: name }, annotations: { 'deployment.kubernetes.io/revision': '4', 'meta.helm.sh/release-name': 'shop', ...(extra.annotations ?? {}) },
      managedFields: [{ manager: 'helm' }] },
    spec: {
      replicas: extra.replicas ?? 3, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, env: extra.env ?? [], command: ['run', '--db=db.main.svc:5432'] }] } },
    },
    status: { readyReplicas: 3 },
  };
}

describe('never copied', () => {
  it('copies the registry\'s copy kinds only', () => {
    assert.deepEqual([...COPY_KINDS], ['ServiceAccount', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'Deployment', 'StatefulSet', 'CronJob']);
    for (const kind of ['Pod', 'ReplicaSet', 'Job', 'Endpoints', 'EndpointSlice', 'Event', 'Lease', 'HorizontalPodAutoscaler']) {
      assert.ok(neverCopyReason(kind, { metadata: { name: 'x' } }), kind);
    }
  });
  it('skips what Kubernetes and Helm make per namespace, and controller-owned objects', () => {
    assert.match(neverCopyReason('ConfigMap', { metadata: { name: 'kube-root-ca.crt' } })!, /every namespace/);
    assert.match(neverCopyReason('ServiceAccount', { metadata: { name: 'default' } })!, /every namespace/);
    assert.match(neverCopyReason('Secret', { metadata: { name: 't' }, type: 'kubernetes.io/service-account-token' })!, /token/);
    assert.match(neverCopyReason('Secret', { metadata: { name: 'sh.helm.release.v1.shop.v1' }, type: 'helm.sh/release.v1' })!, /Helm/);
    assert.match(neverCopyReason('ConfigMap', { metadata: { name: 'shop.v1', labels: { owner: 'helm', name: 'shop' } } })!, /Helm/);
    assert.match(neverCopyReason('Deployment', { metadata: { name: 'x', ownerReferences: [{ kind: 'Rollout', name: 'r', controller: true }] } })!, /Rollout\/r/);
    assert.equal(neverCopyReason('Deployment', { metadata: { name: 'x', ownerReferences: [{ kind: 'Thing', name: 'r' }] } }), undefined);
    assert.equal(neverCopyReason('ConfigMap', { metadata: { name: 'settings' } }), undefined);
    assert.equal(neverCopyReason('Secret', { metadata: { name: 'db' }, type: 'Opaque' }), undefined);
  });
});

describe('normalizeBaselineObject', () => {
  it('drops server-set metadata, status and tool annotations, and adds apiVersion and kind', () => {
    const n = normalizeBaselineObject('Deployment', deployment('api', 'api:1', { annotations: { 'argocd.argoproj.io/sync-wave': '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'shop' } }));
    assert.equal(n.apiVersion, 'apps/v1');
    assert.equal(n.kind, 'Deployment');
    assert.deepEqual(n.metadata, { name: 'api', labels: { app: 'api' }, annotations: { team: 'shop' } });
    assert.equal(n['status'], undefined);
  });
  it('makes Services ClusterIP without cluster IPs or node ports, and keeps headless ones headless', () => {
    const lb = normalizeBaselineObject('Service', { metadata: { name: 'web' }, spec: {
      type: 'LoadBalancer', clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'], healthCheckNodePort: 31000, externalTrafficPolicy: 'Local', allocateLoadBalancerNodePorts: true,
      ports: [{ port: 80, nodePort: 30080 }], selector: { app: 'web' } } });
    assert.deepEqual(lb['spec'], { type: 'ClusterIP', ports: [{ port: 80 }], selector: { app: 'web' } });
    const headless = normalizeBaselineObject('Service', { metadata: { name: 'db' }, spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432 }] } });
    assert.equal((headless['spec'] as { clusterIP: string }).clusterIP, 'None');
  });
  it('keeps a PVC\'s claim but never its volume', () => {
    const n = normalizeBaselineObject('PersistentVolumeClaim', { metadata: { name: 'data', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' }, finalizers: ['kubernetes.io/pvc-protection'] },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast', volumeName: 'pv-123' }, status: { phase: 'Bound' } });
    assert.deepEqual(n, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' } });
  });
});

describe('namespace references', () => {
  it('rewrites the three DNS forms, never bare substrings', () => {
    const r = (s: string): string => rewriteNamespaceReferences(s, 'main', 'jane');
    assert.equal(r('http://api.main:8080/x'), 'http://api.jane:8080/x');
    assert.equal(r('db.main.svc'), 'db.jane.svc');
    assert.equal(r('postgres://db-0.db.main.svc.cluster.local:5432'), 'postgres://db-0.db.jane.svc.cluster.local:5432');
    assert.equal(r('api.main,cache.main.svc'), 'api.jane,cache.jane.svc');
    assert.equal(r('domain main .main api.maintenance api.main.example.com api.main.svc.example'), 'domain main .main api.maintenance api.main.example.com api.main.svc.example');
  });
  it('gives Ingress hosts the environment\'s name', () => {
    assert.equal(rewriteIngressHost('main.shop.example', 'main', 'jane'), 'jane.shop.example');
    assert.equal(rewriteIngressHost('api.main.shop.example', 'main', 'jane'), 'api.jane.shop.example');
    assert.equal(rewriteIngressHost('shop.example', 'main', 'jane'), 'jane-shop.example');
    assert.equal(rewriteIngressHost('*.shop.example', 'main', 'jane'), '*.jane-shop.example');
    assert.equal(rewriteIngressHost('domain.example', 'main', 'jane'), 'jane-domain.example');
  });
});

describe('prepareCopy', () => {
  it('rewrites env values and command, sizes for a developer and marks the copy', () => {
    const copy = prepareCopy('Deployment', deployment('api', 'api:1', { env: [{ name: 'DB', value: 'db.main.svc.cluster.local' }, { name: 'DOMAIN', value: 'domain' }] }), target);
    const c = (copy.object['spec'] as { template: { spec: { containers: { env: { value: string }[]; command: string[] }[] } }; replicas: number });
    assert.deepEqual(c.template.spec.containers[0]!.env.map((e) => e.value), ['db.jane.svc.cluster.local', 'domain']);
    assert.deepEqual(c.template.spec.containers[0]!.command, ['run', '--db=db.jane.svc:5432']);
    assert.equal(c.replicas, 1);
    assert.equal(copy.object.metadata?.namespace, 'jane');
    assert.equal(copy.object.metadata?.labels?.[LABEL_FROM_BASELINE], 'main');
    assert.equal(copy.object.metadata?.annotations?.[ANNOTATION_BASELINE_HASH], copy.baselineHash);
    assert.equal(copy.object.metadata?.annotations?.[ANNOTATION_COPY_HASH], copy.copyHash);
    assert.equal(copy.baselineHash, objectHash(normalizeBaselineObject('Deployment', deployment('api', 'api:1', { env: [{ name: 'DB', value: 'db.main.svc.cluster.local' }, { name: 'DOMAIN', value: 'domain' }] }))));
  });
  it('uses t-env.dev/replicas when the baseline sets it', () => {
    assert.equal(developerReplicas(deployment('a', 'a', { annotations: { 't-env.dev/replicas': '2' } })), 2);
    assert.equal(developerReplicas(deployment('a', 'a', { annotations: { 't-env.dev/replicas': 'lots' } })), 1);
    assert.equal((prepareCopy('StatefulSet', deployment('a', 'a', { annotations: { 't-env.dev/replicas': '0' } }), target).object['spec'] as { replicas: number }).replicas, 0);
  });
  it('rewrites ConfigMap data values and Ingress hosts', () => {
    const cm = prepareCopy('ConfigMap', { metadata: { name: 'cfg' }, data: { url: 'http://api.main/', other: 'main' } }, target);
    assert.deepEqual(cm.object['data'], { url: 'http://api.jane/', other: 'main' });
    const ing = prepareCopy('Ingress', { metadata: { name: 'web' }, spec: { rules: [{ host: 'shop.example' }], tls: [{ hosts: ['main.shop.example'] }] } }, target);
    assert.deepEqual(ing.object['spec'], { rules: [{ host: 'jane-shop.example' }], tls: [{ hosts: ['jane.shop.example'] }] });
  });
  it('keeps a copy for an asleep environment asleep, recording its size', () => {
    const copy = asleepCopy(prepareCopy('Deployment', deployment('api', 'api:2', { annotations: { 't-env.dev/replicas': '2' } }), target));
    assert.equal((copy.object['spec'] as { replicas: number }).replicas, 0);
    assert.equal(copy.object.metadata?.annotations?.['t-env.dev/replicas-before-sleep'], '2');
    const cron = asleepCopy(prepareCopy('CronJob', { metadata: { name: 'r' }, spec: { suspend: false, schedule: '* * * * *' } }, target));
    assert.equal((cron.object['spec'] as { suspend: boolean }).suspend, true);
    assert.equal(cron.object.metadata?.annotations?.['t-env.dev/replicas-before-sleep'], 'false');
  });
  it('hashes canonically', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
    assert.equal(objectHash({ a: 1, b: 2 }), objectHash({ b: 2, a: 1 }));
    assert.notEqual(objectHash({ a: 1 }), objectHash({ a: 2 }));
  });
});

describe('diffWithBaseline', () => {
  const applied = (obj: KubeObject, kind: Listed['kind'] = 'Deployment'): KubeObject => {
    // What the API server gives back: the copy plus server-set fields.
    const o = JSON.parse(JSON.stringify(prepareCopy(kind, obj, target).object)) as KubeObject;
    o.metadata = { ...o.metadata, uid: 'x', resourceVersion: '1', annotations: { ...o.metadata?.annotations, 'deployment.kubernetes.io/revision': '1' } };
    o['status'] = { replicas: 1 };
    return o;
  };
  it('tells every status apart, with the image change of behind workloads', () => {
    const base: Listed[] = [
      { kind: 'Deployment', obj: deployment('same', 'same:1') },
      { kind: 'Deployment', obj: deployment('moved', 'moved:2') },
      { kind: 'Deployment', obj: deployment('edited', 'edited:1') },
      { kind: 'Deployment', obj: deployment('new', 'new:1') },
      { kind: 'ConfigMap', obj: { metadata: { name: 'kube-root-ca.crt' }, data: {} } },
    ];
    const edited = applied(deployment('edited', 'edited:1'));
    (edited['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = 'mine:dev';
    const slept = applied(deployment('same', 'same:1'));
    (slept['spec'] as { replicas: number }).replicas = 0;
    slept.metadata!.annotations!['t-env.dev/replicas-before-sleep'] = '1';
    const env: Listed[] = [
      { kind: 'Deployment', obj: slept },
      { kind: 'Deployment', obj: applied(deployment('moved', 'moved:1')) },
      { kind: 'Deployment', obj: edited },
      { kind: 'Deployment', obj: deployment('mine', 'mine:1') },
      { kind: 'Deployment', obj: applied(deployment('gone', 'gone:1')) },
      { kind: 'ConfigMap', obj: { metadata: { name: 'kube-root-ca.crt' }, data: {} } },
    ];
    const entries = diffWithBaseline('main', base, env);
    assert.deepEqual(diffJson('jane', 'main', entries), { environment: 'jane', baseline: 'main', objects: [
      { kind: 'Deployment', name: 'edited', status: 'changed-here' },
      { kind: 'Deployment', name: 'gone', status: 'only-here' },
      { kind: 'Deployment', name: 'mine', status: 'only-here' },
      { kind: 'Deployment', name: 'moved', status: 'behind', image: { from: 'moved=moved:1', to: 'moved=moved:2' } },
      { kind: 'Deployment', name: 'new', status: 'only-in-baseline' },
      { kind: 'Deployment', name: 'same', status: 'in-sync' },
    ] });
    assert.deepEqual(planRefresh(entries).apply.map((e) => e.name), ['moved', 'new']);
    assert.deepEqual(planRefresh(entries).skipped.map((s) => s.reason), ['Deployment/edited was changed here; left alone (--force overwrites it)']);
    assert.deepEqual(planRefresh(entries, { force: true }).apply.map((e) => e.name), ['edited', 'moved', 'new']);
    assert.deepEqual(planRefresh(entries, { only: ['new'] }).apply.map((e) => e.name), ['new']);
    assert.deepEqual(droppedCopies(entries).map((e) => e.name), ['gone']);
  });
  it('never plans a workload in dev mode, even with force', () => {
    const dev = applied(deployment('api', 'api:1'));
    dev.metadata!.labels!['dev.okteto.com'] = 'true';
    dev.metadata!.annotations!['dev.okteto.com/replicas'] = '1';
    const entries = diffWithBaseline('main', [{ kind: 'Deployment', obj: deployment('api', 'api:2') }], [{ kind: 'Deployment', obj: dev }]);
    assert.equal(entries[0]!.status, 'changed-here');
    assert.deepEqual(planRefresh(entries, { force: true }).apply, []);
    assert.match(planRefresh(entries, { force: true }).skipped[0]!.reason, /dev mode/);
  });
  it('lists images with their containers', () => {
    assert.equal(imagesOf('Deployment', deployment('api', 'api:1')), 'api=api:1');
    assert.equal(imagesOf('CronJob', { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'r', image: 'r:1' }] } } } } } }), 'r=r:1');
  });
});
