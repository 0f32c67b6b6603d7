// The sleeper when the API server pushes back, for real: API Priority and Fairness on the local
// control plane gets a priority level of one nominal seat that rejects (429 with Retry-After)
// instead of queuing, matched to a ServiceAccount with the sleeper's own rights
// (deploy/sleeper/rbac.yaml). A pass of 80 workload writes at 64 in flight then meets 429s: it
// must still sleep every workload, and back off (core/request-shaping.ts) rather than storm: a
// client retrying each request at fixed concurrency would collect well over a thousand 429s
// here (64 sent, a couple admitted, every second); shaping keeps them within two bursts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import type { WorkloadSpec } from '../fixtures/environments.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { reconcileAll } from '../../src/adapters/sleeper.ts';
import { RequestCounter } from '../../src/adapters/sleep-api.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const flow = kc.makeApiClient(k8s.FlowcontrolApiserverV1Api);
const rbacFile = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'deploy', 'sleeper', 'rbac.yaml');

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `throttle-it-${run}`;
const selector = `t-env.dev/owner=${owner}`;
const home = `throttle-it-${run}`;
const environments = [0, 1, 2, 3].map((i) => `throttle-it-${run}-${i}`);
const name = `t-env-throttle-it-${run}`;
const workloads: WorkloadSpec[] = Array.from({ length: 20 }, (_, i) => ({ kind: 'Deployment', name: `w${i}`, replicas: 1 }));
const sunday = new Date('2026-01-11T12:00:00Z');

let sleeper: KubeSession;

describe('a sleeper pass that API Priority and Fairness pushes back', () => {
  before(async () => {
    await core.createNamespace({ body: { metadata: { name: home } } });
    await core.createNamespacedServiceAccount({ namespace: home, body: { metadata: { name: 'sleeper' } } });
    const role = parseAllDocuments(fs.readFileSync(rbacFile, 'utf8')).map((d) => d.toJS() as k8s.V1ClusterRole | null).find((o) => o?.kind === 'ClusterRole');
    assert.ok(role?.rules, 'deploy/sleeper/rbac.yaml has the sleeper\'s ClusterRole');
    await rbac.createClusterRole({ body: { metadata: { name }, rules: role.rules } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name: 'sleeper', namespace: home }] } });
    // One nominal seat, nothing lent or borrowed, no queue: what does not fit is a 429 at once.
    await flow.createPriorityLevelConfiguration({ body: { metadata: { name }, spec: { type: 'Limited', limited: {
      nominalConcurrencyShares: 1, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' },
    } } } });
    await flow.createFlowSchema({ body: { metadata: { name }, spec: {
      priorityLevelConfiguration: { name }, matchingPrecedence: 200, distinguisherMethod: { type: 'ByUser' },
      rules: [{
        subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: 'sleeper', namespace: home } }],
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
      }],
    } } });
    const { status } = await core.createNamespacedServiceAccountToken({ namespace: home, name: 'sleeper', body: { spec: { audiences: [], expirationSeconds: 600 } } });
    assert.ok(status?.token);
    const saKc = new k8s.KubeConfig();
    saKc.loadFromOptions({
      clusters: [{ name: 'local', server: cluster.server, caFile: path.join(cluster.dir, 'pki', 'ca.crt'), skipTLSVerify: false }],
      users: [{ name: 'sleeper', token: status.token }], contexts: [{ name: 'sleeper', cluster: 'local', user: 'sleeper' }], currentContext: 'sleeper',
    });
    sleeper = { kc: saKc, context: 'sleeper', server: cluster.server };
    await Promise.all(environments.map((env) => createEnvironmentFixture(kc, { name: env, owner, timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00', workloads })));
    // The API server's flow-control configuration follows the objects asynchronously: wait until
    // the schema is in force (its status condition says so).
    await eventually('the flow schema in force', async () => {
      const schema = await flow.readFlowSchema({ name });
      return schema.status?.conditions?.some((c) => c.type === 'Dangling' && c.status === 'False');
    });
  });

  after(async () => {
    await Promise.all([
      ...[home, ...environments].map((ns) => core.deleteNamespace({ name: ns }).catch(() => undefined)),
      rbac.deleteClusterRole({ name }).catch(() => undefined), rbac.deleteClusterRoleBinding({ name }).catch(() => undefined),
      flow.deleteFlowSchema({ name }).catch(() => undefined), flow.deletePriorityLevelConfiguration({ name }).catch(() => undefined),
    ]);
  });

  it('sleeps every workload through the 429s, backing off instead of storming', async (t) => {
    const counter = new RequestCounter();
    const started = Date.now();
    const pass = await eventually('a pass as the sleeper (RBAC caches)', () => reconcileAll(sleeper, { selector, now: sunday, concurrency: 64, counter }));
    t.diagnostic(`${counter.count} requests, ${counter.throttled} answered 429, ${Date.now() - started} ms`);
    for (const env of environments) {
      const result = pass.environments.find((e) => e.name === env);
      assert.deepEqual(result && { action: result.action, changed: result.changed, problems: result.problems }, { action: 'sleep', changed: workloads.length, problems: [] }, env);
    }
    const replicas = (await Promise.all(environments.map((namespace) => apps.listNamespacedDeployment({ namespace })))).flatMap((l) => l.items.map((d) => d.spec?.replicas));
    assert.deepEqual(replicas, Array.from({ length: environments.length * workloads.length }, () => 0));
    assert.ok(counter.throttled > 0, 'the API server pushed back (else this test proves nothing)');
    assert.ok(counter.throttled <= 2 * 64, `${counter.throttled} 429s for ${environments.length * (workloads.length + 1)} writes: a storm`);
  });
});
