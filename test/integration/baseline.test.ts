// Environments from a baseline against the real local control plane. The baseline is deployed the
// way teams deploy: a real Helm (built by test/cluster/go/build.sh) installs test/fixtures/
// baseline-chart, and plain manifests add a LoadBalancer Service, an Ingress and a StatefulSet.
import { after, before, describe, it } from 'node:test';
import { runCli } from '../fixtures/cli.ts';
import type { CliRun } from '../fixtures/cli.ts';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { attachCluster } from '../cluster/cluster.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { createFromBaseline, diffEnvironment, listBaselines, refreshEnvironment, resetEnvironment } from '../../src/adapters/baseline.ts';
import { sleepEnvironment } from '../../src/adapters/sleep.ts';
import type { ApiRequest } from '../../src/adapters/sleep-api.ts';
import { TEnvError } from '../../src/core/errors.ts';
import type { BaselineMark } from '../../src/core/baseline-view.ts';
import { EnvironmentStore } from '../../src/adapters/environment-store.ts';
import { eventually } from '../fixtures/environments.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const admin: KubeSession = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const networking = kc.makeApiClient(k8s.NetworkingV1Api);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures');

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const base = `main-${run}`;
const owner = `baseline-it-${run}`;
const created: string[] = [base];
const input = (name: string, baseline = base): Parameters<typeof createFromBaseline>[1] => ({ name, baseline, owner, timezone: 'UTC', awakeHours: 'always' });

function helm(args: string[]): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-'));
  // `helm upgrade` without values reuses the release's last ones; every upgrade here starts from the chart's.
  return execFileSync(path.join(cluster.state.bin, 'helm'), args[0] === 'upgrade' ? [...args, '--reset-values'] : args, {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: cluster.kubeconfigPath, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home },
  });
}

/** `kubectl apply -f`: each document of a manifest file, created in `namespace`. */
async function applyManifests(file: string, namespace: string, replace: Record<string, string> = {}): Promise<void> {
  let text = fs.readFileSync(file, 'utf8');
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as k8s.KubernetesObject;
    await objects.create({ ...obj, metadata: { ...obj.metadata, namespace } });
  }
}

async function namespaceExists(name: string): Promise<boolean> {
  return core.readNamespace({ name }).then(() => true, () => false);
}

async function labelledBaseline(name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels: { 't-env.dev/baseline': 'true' }, annotations: { 't-env.dev/git-ref': 'origin/main' } } } });
  created.push(name);
}

before(async () => {
  await labelledBaseline(base);
  helm(['install', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base]);
  await applyManifests(path.join(fixtures, 'baseline-manifests.yaml'), base, { BASELINE: base });
  // What Kubernetes adds per namespace must exist in the baseline before the copy (never copied).
  await core.createNamespacedServiceAccount({ namespace: base, body: { metadata: { name: 'default' } } }).catch(() => undefined);
  await core.createNamespacedSecret({ namespace: base, body: { metadata: { name: 'shop-token', annotations: { 'kubernetes.io/service-account.name': 'shop' } }, type: 'kubernetes.io/service-account-token' } });
});

after(async () => {
  await Promise.all(created.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe('create from a baseline', () => {
  const env = `jane-${run}`;
  let result: Awaited<ReturnType<typeof createFromBaseline>>;
  const progress: string[] = [];
  before(async () => {
    created.push(env);
    result = await createFromBaseline(admin, input(env), { onProgress: (t) => progress.push(t) });
  });

  it('is listed as a baseline, and Helm really deployed it (release Secret and annotations)', async () => {
    assert.ok((await listBaselines(admin)).some((b) => b.name === base && b.gitRef === 'origin/main'));
    const secrets = await core.listNamespacedSecret({ namespace: base, labelSelector: 'owner=helm' });
    assert.equal(secrets.items[0]?.type, 'helm.sh/release.v1');
    const api = await apps.readNamespacedDeployment({ namespace: base, name: 'api' });
    assert.equal(api.metadata?.annotations?.['meta.helm.sh/release-name'], 'shop');
  });

  it('copies the objects that make the application run, in phases, with progress', async () => {
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(result.warnings, []);
    const ns = await core.readNamespace({ name: env });
    assert.equal(ns.metadata?.annotations?.['t-env.dev/baseline'], base);
    assert.equal(ns.metadata?.annotations?.['t-env.dev/copy-pending'], undefined);
    assert.equal(ns.metadata?.labels?.['t-env.dev/environment'], 'true');
    const copied = async (list: Promise<{ items: k8s.KubernetesObject[] }>): Promise<string[]> => (await list).items
      .filter((o) => o.metadata?.labels?.['t-env.dev/from-baseline'] === base).map((o) => o.metadata?.name ?? '').sort();
    assert.deepEqual(await copied(apps.listNamespacedDeployment({ namespace: env })), ['api', 'web']);
    assert.deepEqual(await copied(apps.listNamespacedStatefulSet({ namespace: env })), ['db']);
    assert.deepEqual(await copied(core.listNamespacedService({ namespace: env })), ['api', 'db', 'web']);
    assert.deepEqual(await copied(core.listNamespacedConfigMap({ namespace: env })), ['settings']);
    assert.deepEqual(await copied(core.listNamespacedSecret({ namespace: env })), ['db-credentials']);
    assert.deepEqual(await copied(core.listNamespacedServiceAccount({ namespace: env })), ['shop']);
    assert.deepEqual(await copied(core.listNamespacedPersistentVolumeClaim({ namespace: env })), ['uploads']);
    assert.deepEqual(await copied(networking.listNamespacedIngress({ namespace: env })), ['web']);
    assert.deepEqual(await copied(networking.listNamespacedNetworkPolicy({ namespace: env })), ['api']);
    assert.deepEqual(await copied(kc.makeApiClient(k8s.PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace: env })), ['api']);
    assert.deepEqual(await copied(kc.makeApiClient(k8s.BatchV1Api).listNamespacedCronJob({ namespace: env })), ['report']);
    assert.equal(result.applied, 14);
    assert.equal(progress.at(-1), `Copying ${base} into ${env}: 14 of 14 objects`);
  });

  it('never copies Helm release records, tokens, HPAs or what Kubernetes makes per namespace', async () => {
    assert.deepEqual((await core.listNamespacedSecret({ namespace: env, labelSelector: 'owner=helm' })).items, []);
    const secrets = (await core.listNamespacedSecret({ namespace: env })).items.map((s) => s.metadata?.name);
    assert.ok(!secrets.includes('shop-token'));
    assert.deepEqual((await kc.makeApiClient(k8s.AutoscalingV2Api).listNamespacedHorizontalPodAutoscaler({ namespace: env })).items, []);
    const rootCa = await core.readNamespacedConfigMap({ namespace: env, name: 'kube-root-ca.crt' }).catch(() => undefined);
    assert.equal(rootCa?.metadata?.labels?.['t-env.dev/from-baseline'], undefined);
    const sa = await core.readNamespacedServiceAccount({ namespace: env, name: 'default' }).catch(() => undefined);
    assert.equal(sa?.metadata?.labels?.['t-env.dev/from-baseline'], undefined);
  });

  it('normalizes: ClusterIP Services without node ports, no tool annotations, headless stays headless', async () => {
    for (const name of ['api', 'web']) {
      const svc = await core.readNamespacedService({ namespace: env, name });
      assert.equal(svc.spec?.type, 'ClusterIP', name);
      assert.equal(svc.spec?.ports?.[0]?.nodePort, undefined);
      assert.equal(svc.spec?.externalTrafficPolicy, undefined);
      assert.notEqual(svc.spec?.clusterIP, (await core.readNamespacedService({ namespace: base, name })).spec?.clusterIP);
    }
    assert.equal((await core.readNamespacedService({ namespace: env, name: 'db' })).spec?.clusterIP, 'None');
    const api = await apps.readNamespacedDeployment({ namespace: env, name: 'api' });
    assert.deepEqual(Object.keys(api.metadata?.annotations ?? {}).filter((k) => k.startsWith('meta.helm.sh/')), []);
    assert.match(api.metadata?.annotations?.['t-env.dev/baseline-hash'] ?? '', /^[0-9a-f]{20}$/);
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: env, name: 'uploads' });
    assert.equal(pvc.spec?.resources?.requests?.['storage'], '1Gi');
    assert.equal(pvc.spec?.volumeName, undefined);
  });

  it('rewrites namespace references in DNS forms only, and Ingress hosts', async () => {
    const api = await apps.readNamespacedDeployment({ namespace: env, name: 'api' });
    const c = api.spec!.template.spec!.containers[0]!;
    assert.deepEqual(c.env?.map((e) => e.value), [`db-0.db.${env}.svc.cluster.local`, 'domain.example']);
    assert.deepEqual(c.args, ['--db', `db.${env}:5432`]);
    const cm = await core.readNamespacedConfigMap({ namespace: env, name: 'settings' });
    assert.deepEqual(cm.data, { API_URL: `http://api.${env}.svc.cluster.local:8080`, GREETING: 'main domain' });
    const ing = await networking.readNamespacedIngress({ namespace: env, name: 'web' });
    assert.deepEqual(ing.spec?.rules?.map((r) => r.host), [`${env}-shop.example`, `api.${env}.shop.example`]);
  });

  it('sizes for a developer: t-env.dev/replicas, else 1', async () => {
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'api' })).spec?.replicas, 2);
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'web' })).spec?.replicas, 1);
    assert.equal((await apps.readNamespacedStatefulSet({ namespace: env, name: 'db' })).spec?.replicas, 1);
  });

  it('diffs an untouched copy as in-sync, and refreshing it costs lists only', async () => {
    const diff = await diffEnvironment(admin, env);
    assert.deepEqual(diff.entries.filter((e) => e.status !== 'in-sync').map((e) => `${e.kind}/${e.name}:${e.status}`), []);
    const verbs: string[] = [];
    const refresh = await refreshEnvironment(admin, env, {}, { hooks: { beforeRequest: (r: ApiRequest) => { verbs.push(r.verb); } } });
    assert.equal(refresh.applied, 0);
    assert.deepEqual([...new Set(verbs)].sort(), ['get', 'list']);
  });
});

describe('diff, refresh and reset', () => {
  const env = `kim-${run}`;
  before(async () => {
    created.push(env);
    await createFromBaseline(admin, input(env));
    // The baseline moves on: a new image, a new ConfigMap; the environment edits one object and adds its own.
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base, '--set', 'apiImage=registry.example/api:2']);
    await core.createNamespacedConfigMap({ namespace: base, body: { metadata: { name: 'added' }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ namespace: env, name: 'settings', body: { data: { GREETING: 'mine' } } }, mergePatch);
    await core.createNamespacedConfigMap({ namespace: env, body: { metadata: { name: 'mine' }, data: { b: '2' } } });
  });
  after(async () => {
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base]);
    await core.deleteNamespacedConfigMap({ namespace: base, name: 'added' }).catch(() => undefined);
  });

  it('tells each status apart, with the image change of behind workloads', async () => {
    const diff = await diffEnvironment(admin, env);
    const status = (name: string, kind: string): unknown => diff.entries.find((e) => e.name === name && e.kind === kind)?.status;
    assert.equal(status('api', 'Deployment'), 'behind');
    assert.deepEqual(diff.entries.find((e) => e.name === 'api' && e.kind === 'Deployment')?.image, { from: 'api=registry.example/api:1', to: 'api=registry.example/api:2' });
    assert.equal(status('settings', 'ConfigMap'), 'changed-here');
    assert.equal(status('added', 'ConfigMap'), 'only-in-baseline');
    assert.equal(status('mine', 'ConfigMap'), 'only-here');
    assert.equal(status('web', 'Deployment'), 'in-sync');
  });

  it('refresh brings behind and new objects over, leaves changed-here and only-here alone', async () => {
    const result = await refreshEnvironment(admin, env);
    assert.deepEqual(result.skipped, ['ConfigMap/settings was changed here; left alone (--force overwrites it)']);
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'api' })).spec?.template.spec?.containers[0]?.image, 'registry.example/api:2');
    assert.deepEqual((await core.readNamespacedConfigMap({ namespace: env, name: 'added' })).data, { a: '1' });
    assert.equal((await core.readNamespacedConfigMap({ namespace: env, name: 'settings' })).data?.['GREETING'], 'mine');
    const diff = await diffEnvironment(admin, env);
    assert.deepEqual(diff.entries.filter((e) => e.status !== 'in-sync').map((e) => `${e.name}:${e.status}`).sort(), ['mine:only-here', 'settings:changed-here']);
  });

  it('refresh --force overwrites changed-here; reset deletes copies the baseline dropped, never objects made here', async () => {
    await refreshEnvironment(admin, env, { force: true });
    assert.equal((await core.readNamespacedConfigMap({ namespace: env, name: 'settings' })).data?.['GREETING'], 'main domain');
    await core.deleteNamespacedConfigMap({ namespace: base, name: 'added' });
    const result = await resetEnvironment(admin, env);
    assert.deepEqual(result.deleted, ['ConfigMap/added']);
    assert.equal(await core.readNamespacedConfigMap({ namespace: env, name: 'added' }).then(() => true, () => false), false);
    assert.deepEqual((await core.readNamespacedConfigMap({ namespace: env, name: 'mine' })).data, { b: '2' });
  });

  it('never touches a workload in Okteto dev mode, even with --force', async () => {
    // What `okteto up` leaves on the original workload (okteto's pkg/model/const.go, imitated by
    // test/fixtures/okteto-fake): label and saved replicas.
    await apps.patchNamespacedDeployment({ namespace: env, name: 'web', body: { metadata: { labels: { 'dev.okteto.com': 'true' }, annotations: { 'dev.okteto.com/replicas': '1' } }, spec: { replicas: 0 } } }, mergePatch);
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base, '--set', 'webImage=registry.example/web:9']);
    const result = await resetEnvironment(admin, env);
    assert.ok(result.skipped.some((s) => /Deployment\/web is in dev mode/.test(s)), result.skipped.join('; '));
    const web = await apps.readNamespacedDeployment({ namespace: env, name: 'web' });
    assert.equal(web.spec?.template.spec?.containers[0]?.image, 'registry.example/web:1');
    assert.equal(web.spec?.replicas, 0);
  });
});

describe('refresh after the baseline drops a field', () => {
  const env = `ray-${run}`;
  after(() => {
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base]);
  });

  it('drops it from the copy: the copy is applied by t-env, so server-side apply removes what t-env no longer sends', async () => {
    created.push(env);
    await createFromBaseline(admin, input(env));
    const owners = async (): Promise<string[]> => ((await core.readNamespacedConfigMap({ namespace: env, name: 'settings' })).metadata?.managedFields ?? [])
      .map((m) => `${m.manager ?? ''}/${m.operation ?? ''}`).sort();
    assert.deepEqual(await owners(), ['t-env/Apply'], 'copies are written by server-side apply as t-env');
    await core.patchNamespacedConfigMap({ namespace: base, name: 'settings', body: { data: { GREETING: null } } }, mergePatch);
    const verbs: string[] = [];
    const result = await refreshEnvironment(admin, env, {}, { hooks: { beforeRequest: (r: ApiRequest) => { verbs.push(`${r.verb} ${r.resource}/${r.name ?? ''}`); } } });
    assert.equal(result.applied, 1);
    assert.deepEqual(verbs.filter((v) => !v.startsWith('list') && !v.startsWith('get')), ['apply configmaps/settings']);
    assert.deepEqual((await core.readNamespacedConfigMap({ namespace: env, name: 'settings' })).data, { API_URL: `http://api.${env}.svc.cluster.local:8080` });
    assert.deepEqual(await owners(), ['t-env/Apply']);
    const diff = await diffEnvironment(admin, env);
    assert.deepEqual(diff.entries.filter((e) => e.status !== 'in-sync').map((e) => `${e.kind}/${e.name}:${e.status}`), []);
  });
});

describe('the live store: what the VS Code tree shows', () => {
  const env = `noor-${run}`;
  let store: EnvironmentStore;
  before(async () => {
    created.push(env);
    await createFromBaseline(admin, input(env));
    store = new EnvironmentStore(admin, { batchMs: 20 });
    await store.start();
  });
  after(async () => {
    await store.dispose();
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base]);
  });

  const mark = (name: string): BaselineMark | undefined => store.environment(env)?.workloads.find((w) => w.name === name)?.baseline;

  it('lists the baseline with its workloads, and the environment with its baseline and in-sync copies', async () => {
    const view = store.baselines().find((b) => b.name === base);
    assert.equal(view?.gitRef, 'origin/main');
    assert.ok(view.workloads.some((w) => w.kind === 'Deployment' && w.name === 'api'), view.workloads.map((w) => w.name).join(', '));
    await eventually('in-sync marks', async () => mark('api')?.status === 'in-sync' && mark('web')?.status === 'in-sync');
    assert.equal(store.environment(env)?.baseline, base);
  });

  it('marks a workload behind, with its image change, when the baseline moves on; refresh clears it', async () => {
    const reported = new Set<string>();
    const unsubscribe = store.onDidChange((names) => { for (const n of names) reported.add(n); });
    try {
      helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base, '--set', 'apiImage=registry.example/api:3']);
      await eventually('api behind', async () => mark('api')?.status === 'behind');
      assert.ok(reported.has(env), `a change in the baseline is reported for the environment: ${[...reported].join(', ')}`);
      assert.ok(reported.has(base), 'and for the baseline itself');
      assert.deepEqual(mark('api')?.images, [{ container: 'api', from: 'registry.example/api:1', to: 'registry.example/api:3' }]);
      assert.equal(mark('web')?.status, 'in-sync');
      await refreshEnvironment(admin, env);
      await eventually('api in sync again', async () => mark('api')?.status === 'in-sync');
    } finally {
      unsubscribe();
    }
  });
});

describe('refresh of an asleep environment', () => {
  const env = `sam-${run}`;
  before(async () => {
    created.push(env);
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base]);
    await createFromBaseline(admin, input(env));
    await sleepEnvironment(admin, env);
  });

  it('keeps refreshed workloads asleep, recording their new size, and leaves the sleep ledger as it was', async () => {
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base, '--set', 'apiImage=registry.example/api:3']);
    const ledger = async (): Promise<string | undefined> => (await core.readNamespace({ name: env })).metadata?.annotations?.['t-env.dev/sleep-ledger'];
    const before = await ledger();
    assert.match(before ?? '', /"state":"asleep","cause":"manual"/, 'the manual sleep is recorded');
    await refreshEnvironment(admin, env);
    // No transition: the environment stays asleep by hand, so nothing is recorded (or counted twice).
    assert.equal(await ledger(), before);
    const api = await apps.readNamespacedDeployment({ namespace: env, name: 'api' });
    assert.equal(api.spec?.template.spec?.containers[0]?.image, 'registry.example/api:3');
    assert.equal(api.spec?.replicas, 0);
    assert.equal(api.metadata?.annotations?.['t-env.dev/replicas-before-sleep'], '2');
    const diff = await diffEnvironment(admin, env);
    assert.equal(diff.entries.find((e) => e.kind === 'Deployment' && e.name === 'api')?.status, 'in-sync');
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base]);
  });
});

describe('bad input: one actionable error, nothing created', () => {
  const expectError = async (promise: Promise<unknown>, kind: string, message: RegExp): Promise<void> => {
    await assert.rejects(promise, (error: unknown) => error instanceof TEnvError && error.kind === kind && message.test(error.message));
  };
  it('an unknown baseline, an unlabelled namespace, an existing namespace, a bad name', async () => {
    const name = `nope-${run}`;
    await expectError(createFromBaseline(admin, input(name, `missing-${run}`)), 'not-found', /baseline "missing-/);
    await core.createNamespace({ body: { metadata: { name: `plain-${run}` } } });
    created.push(`plain-${run}`);
    await expectError(createFromBaseline(admin, input(name, `plain-${run}`)), 'not-baseline', /not a baseline/);
    assert.equal(await namespaceExists(name), false);
    await expectError(createFromBaseline(admin, input(`plain-${run}`)), 'exists', /already exists/);
    await expectError(createFromBaseline(admin, input('Not_A_Name')), 'invalid-input', /DNS-1123/);
  });

  it('an object the API server rejects is reported by name and the rest lands; --strict makes it fatal', async () => {
    const small = `small-${run}`;
    await labelledBaseline(small);
    await core.createNamespacedConfigMap({ namespace: small, body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    // Valid in the baseline; with `<env>-` in front the host is longer than a DNS name may be (253).
    await networking.createNamespacedIngress({ namespace: small, body: { metadata: { name: 'long' }, spec: { rules: [{ host: `${Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.')}.example` }] } } });
    await core.createNamespacedSecret({ namespace: small, body: { metadata: { name: 'key' }, stringData: { token: 'super-secret-value' } } });
    const env = `lee-${run}`;
    created.push(env);
    const result = await createFromBaseline(admin, input(env, small));
    assert.deepEqual(result.rejected.map((r) => `${r.kind}/${r.name}`), ['Ingress/long']);
    assert.ok((await core.readNamespacedConfigMap({ namespace: env, name: 'cfg' })).data);
    assert.ok(!JSON.stringify(result).includes('super-secret-value'));
    const strictEnv = `lee-strict-${run}`;
    created.push(strictEnv);
    await expectError(createFromBaseline(admin, input(strictEnv, small), { strict: true }), 'rejected', /Ingress\/long/);
  });

  it('a kind the user may not read is skipped with one warning; --strict makes it fatal before anything is created', async () => {
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    const user = `reader-${run}`;
    await rbac.createClusterRole({ body: { metadata: { name: user }, rules: [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'create', 'patch'] },
      { apiGroups: [''], resources: ['serviceaccounts', 'configmaps', 'persistentvolumeclaims', 'services'], verbs: ['get', 'list', 'create', 'patch'] },
      { apiGroups: ['apps', 'batch', 'networking.k8s.io', 'policy'], resources: ['*'], verbs: ['get', 'list', 'create', 'patch'] },
    ] } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: user }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user }, subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }] } });
    const session = loadKubeConfig({ kubeconfig: cluster.userKubeconfig(user) });
    try {
      const strictEnv = `rae-strict-${run}`;
      await expectError(createFromBaseline(session, input(strictEnv), { strict: true }), 'forbidden', /secrets were skipped/);
      assert.equal(await namespaceExists(strictEnv), false);
      const env = `rae-${run}`;
      created.push(env);
      const result = await createFromBaseline(session, input(env));
      assert.deepEqual(result.warnings, [`You may not list secrets in ${base}; secrets were skipped.`]);
      assert.equal(result.applied, 13);
    } finally {
      await rbac.deleteClusterRoleBinding({ name: user }).catch(() => undefined);
      await rbac.deleteClusterRole({ name: user }).catch(() => undefined);
    }
  });
});

class SimulatedCrash extends Error {
  constructor(at: number) { super(`simulated crash at request ${at}`); }
}

describe('create interrupted at every request, then run again', () => {
  it('converges to the same environment', async () => {
    for (let k = 1; ; k++) {
      const env = `cut-${run}-${k}`;
      created.push(env);
      let n = 0;
      const hooks = { beforeRequest: () => { if (++n === k) throw new SimulatedCrash(k); } };
      const finished = await createFromBaseline(admin, input(env), { hooks, concurrency: 4 }).then(() => true, (error: unknown) => {
        assert.ok(error instanceof SimulatedCrash || (error instanceof Error && error.cause instanceof SimulatedCrash), `crash surfaced: ${String(error)}`);
        return false;
      });
      if (!finished) {
        const again = await createFromBaseline(admin, input(env));
        assert.deepEqual(again.rejected, []);
      }
      const diff = await diffEnvironment(admin, env);
      assert.equal(diff.entries.length, 14, `crash before request ${k}`);
      assert.deepEqual(diff.entries.filter((e) => e.status !== 'in-sync').map((e) => `${e.kind}/${e.name}:${e.status}`), [], `crash before request ${k}`);
      assert.equal((await core.readNamespace({ name: env })).metadata?.annotations?.['t-env.dev/copy-pending'], undefined);
      await core.deleteNamespace({ name: env });
      if (finished) break;
    }
  });
});

describe('t env create --from, diff, refresh, reset (the CLI)', () => {
  const env = `cli-${run}`;
  const t = (args: string[]): Promise<CliRun> => runCli(args, { KUBECONFIG: cluster.kubeconfigPath, T_ENV_USER: owner });
  const outputs: string[] = [];
  after(() => {
    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base]);
    assert.ok(!outputs.join('\n').includes('s3cr3t'), 'a Secret value reached the output');
  });

  it('creates, compares, refreshes and resets from the terminal', async () => {
    created.push(env);
    const create = await t(['env', 'create', env, '--from', base, '--timezone', 'UTC', '--awake-hours', 'always', '--json']);
    outputs.push(create.stdout, create.stderr);
    assert.equal(create.code, 0, create.stderr);
    assert.equal((JSON.parse(create.stdout) as { applied: number }).applied, 14);
    const inSync = await t(['env', 'diff', env, '--json']);
    outputs.push(inSync.stdout, inSync.stderr);
    const json = JSON.parse(inSync.stdout) as { environment: string; baseline: string; objects: { status: string }[] };
    assert.equal(json.environment, env);
    assert.equal(json.baseline, base);
    assert.deepEqual([...new Set(json.objects.map((o) => o.status))], ['in-sync']);

    helm(['upgrade', 'shop', path.join(fixtures, 'baseline-chart'), '--namespace', base, '--set', 'apiImage=registry.example/api:5', '--set', 'webImage=registry.example/web:5']);
    const behind = await t(['env', 'diff', env, '--json']);
    outputs.push(behind.stdout, behind.stderr);
    assert.deepEqual((JSON.parse(behind.stdout) as { objects: unknown[] }).objects.filter((o) => (o as { status: string }).status !== 'in-sync'), [
      { kind: 'Deployment', name: 'api', status: 'behind', image: { from: 'api=registry.example/api:1', to: 'api=registry.example/api:5' } },
      { kind: 'Deployment', name: 'web', status: 'behind', image: { from: 'web=registry.example/web:1', to: 'web=registry.example/web:5' } },
    ]);
    const text = await t(['env', 'diff', env]);
    outputs.push(text.stdout, text.stderr);
    assert.match(text.stdout, /behind +Deployment\/api {2}api=registry\.example\/api:1 → api=registry\.example\/api:5/);

    const only = await t(['env', 'refresh', env, '--only', 'api']);
    outputs.push(only.stdout, only.stderr);
    assert.equal(only.code, 0, only.stderr);
    assert.match(only.stdout, /Updated .*: 1 object applied\./);
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'web' })).spec?.template.spec?.containers[0]?.image, 'registry.example/web:1');

    const refused = await t(['env', 'reset', env]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /--yes/);
    const reset = await t(['env', 'reset', env, '--yes']);
    outputs.push(reset.stdout, reset.stderr);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'web' })).spec?.template.spec?.containers[0]?.image, 'registry.example/web:5');
  });
});
