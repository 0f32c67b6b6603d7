// Who owns an environment (issue #17, M5), on the real control plane: deploy/environments'
// admission policy refuses forged or changed owners, and the CLI resolves "my environment" only
// from environments created by the user's own API identity (a decoy labelled with their name is
// never picked).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { attachCluster } from '../cluster/cluster.ts';
import { eventually } from '../fixtures/environments.ts';
import { createEnvironment } from '../../src/adapters/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const root = path.resolve(import.meta.dirname, '..', '..');
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const bob = `bob-${run}`;
const mallory = `mallory-${run}`;
const decoy = `own-${run}-decoy`;
const real = `own-${run}-bob`;
const mine = `own-${run}-mallory`;
const role = `own-it-${run}`;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const policy = parseAllDocuments(fs.readFileSync(path.join(root, 'deploy', 'environments', 'owner-policy.yaml'), 'utf8'))
  .map((d) => d.toJS() as k8s.KubernetesObject | null).filter((o): o is k8s.KubernetesObject => o !== null);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-own-'));

function forbidden(error: unknown): boolean {
  return error instanceof k8s.ApiException && error.code === 403 && !/resulted in error/.test(String(error.body));
}

function t(args: string[], kubeconfig: string, user: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', path.join(root, 'src', 'cli.ts'), ...args], {
      cwd: home, env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: '1', HOME: home, T_ENV_USER: user }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('environment ownership (deploy/environments)', () => {
  let bobConfig = '';
  let malloryConfig = '';
  before(async () => {
    for (const obj of policy) await objects.patch(obj, undefined, undefined, 't-env-tests', true, k8s.PatchStrategy.ServerSideApply);
    // Ordinary developer rights: read everything, create and edit namespaces.
    await rbac.createClusterRole({ body: { metadata: { name: role }, rules: [
      { apiGroups: ['', 'apps', 'batch'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'patch'] },
    ] } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: role }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [bob, mallory].map((name) => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' })) } });
    fs.writeFileSync(path.join(home, 'okteto.yml'), 'dev:\n  api:\n    image: busybox\n    command: sh\n    sync:\n      - .:/usr/src/app\n');
    bobConfig = cluster.userKubeconfig(bob);
    malloryConfig = cluster.userKubeconfig(mallory);
  });
  after(async () => {
    await Promise.all([decoy, real, mine].map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
    await rbac.deleteClusterRoleBinding({ name: role }).catch(() => undefined);
    await rbac.deleteClusterRole({ name: role }).catch(() => undefined);
    for (const obj of policy.reverse()) await objects.delete(obj).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('refuses forged owners and creators, and any later change of either', async () => {
    const malloryCore = loadKubeConfig({ kubeconfig: malloryConfig }).kc.makeApiClient(k8s.CoreV1Api);
    const forged = (extra: Record<string, string>) => malloryCore.createNamespace({ body: { metadata: {
      name: `own-${run}-forged`, labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': bob }, annotations: extra,
    } } });
    await eventually('the policy refuses a namespace created for someone else', async () => {
      try {
        await forged({ 't-env.dev/created-by': bob });
        await core.deleteNamespace({ name: `own-${run}-forged` });
        throw new Error('created');
      } catch (error) {
        if (forbidden(error)) return true;
        throw error;
      }
    });
    // A forged namespace made before the policy was in force is still terminating for a while: while
    // it exists it is one of Bob's (his owner label, his name as creator), so wait until it is gone.
    await eventually('no forged namespace left', async () => (await core.listNamespace({ fieldSelector: `metadata.name=own-${run}-forged` })).items.length === 0, 60_000);
    await assert.rejects(forged({}), forbidden, 'an owner label without a created-by naming the requester');
    // Bob's real environment, made by T-Env: created-by is his API identity.
    await createEnvironment(loadKubeConfig({ kubeconfig: bobConfig }), { name: real, owner: bob, timezone: 'UTC', awakeHours: 'always' });
    assert.equal((await core.readNamespace({ name: real })).metadata?.annotations?.['t-env.dev/created-by'], bob);
    await assert.rejects(malloryCore.patchNamespace({ name: real, body: { metadata: { labels: { 't-env.dev/owner': mallory } } } }, mergePatch), forbidden);
    await assert.rejects(malloryCore.patchNamespace({ name: real, body: { metadata: { annotations: { 't-env.dev/created-by': mallory } } } }, mergePatch), forbidden);
    await assert.rejects(malloryCore.patchNamespace({ name: real, body: { metadata: { labels: { 't-env.dev/owner': null } } } }, mergePatch), forbidden);
    // Mallory's own environment is fine, but she cannot hand it to Bob afterwards.
    await createEnvironment(loadKubeConfig({ kubeconfig: malloryConfig }), { name: mine, owner: mallory, timezone: 'UTC', awakeHours: 'always' });
    await assert.rejects(malloryCore.patchNamespace({ name: mine, body: { metadata: { labels: { 't-env.dev/owner': bob } } } }, mergePatch), forbidden);
    // Ordinary edits still work.
    await malloryCore.patchNamespace({ name: mine, body: { metadata: { annotations: { 't-env.dev/awake-hours': 'Mon-Fri 08:00-20:00' } } } }, mergePatch);
  });

  it('"my environment" ignores a decoy carrying my owner label (CLI: refuses without --env)', async () => {
    // A decoy the policy could not stop (made by a cluster admin, or on a cluster without it).
    await core.createNamespace({ body: { metadata: { name: decoy, labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': bob } } } });
    const picked = await t(['logs', 'web'], bobConfig, bob);
    assert.equal(picked.code, 1);
    // Resolved to Bob's real environment (not "several", not the decoy): its workload list is checked.
    assert.match(picked.stderr, new RegExp(`The workload web in ${real} does not exist`));
    // While it is terminating (held by a finalizer here) it is no longer "my environment" either.
    await core.createNamespacedConfigMap({ namespace: real, body: { metadata: { name: 'hold', finalizers: ['example.com/hold'] } } });
    await core.deleteNamespace({ name: real });
    await eventually('bob\'s environment terminating', async () => (await core.readNamespace({ name: real })).status?.phase === 'Terminating');
    try {
      const refused = await t(['dev', 'start', 'api'], bobConfig, bob);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`You own no environment .*${decoy} carry your owner label but were not created by you`));
      assert.match(refused.stderr, /Pass --env <name>/);
      assert.equal((await core.readNamespace({ name: real })).status?.phase, 'Terminating', 'still terminating when the CLI looked');
    } finally {
      await core.patchNamespacedConfigMap({ namespace: real, name: 'hold', body: { metadata: { finalizers: null } } }, mergePatch).catch(() => undefined);
    }
    await eventually('bob\'s environment gone', async () => (await core.listNamespace({ fieldSelector: `metadata.name=${real}` })).items.length === 0, 60_000);
  });
});
