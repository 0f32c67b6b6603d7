// Environments on the real control plane: the live store behind the tree, create/delete, the CLI,
// and every bad input of the issue giving one actionable error while changing nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import { EnvironmentStore } from '../../src/adapters/environment-store.ts';
import { createEnvironment, deleteEnvironment } from '../../src/adapters/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import { TEnvError } from '../../src/core/errors.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const session = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-env-it-'));
const cliPath = new URL('../../src/cli.ts', import.meta.url).pathname;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', cliPath, ...args], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, NO_COLOR: '1', ...env },
    }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

async function namespaceNames(): Promise<string[]> {
  return (await core.listNamespace()).items.map((n) => n.metadata!.name!).sort();
}

describe('environments', () => {
  let store: EnvironmentStore;
  const changes: string[][] = [];

  before(async () => {
    await createEnvironmentFixture(kc, { name: 'env-it-alice', owner: 'alice', timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00' });
    await createEnvironmentFixture(kc, { name: 'env-it-bob', owner: 'bob', timezone: 'Asia/Kolkata', workloads: [{ kind: 'Deployment', name: 'svc', replicas: 1, behaviour: 'crash-loop' }] });
    await core.createNamespace({ body: { metadata: { name: 'env-it-plain' } } });
    store = new EnvironmentStore(session, { batchMs: 20 });
    store.onDidChange((names) => changes.push([...names]));
    await store.start();
  });

  after(async () => {
    await store.dispose();
    for (const name of ['env-it-alice', 'env-it-bob', 'env-it-plain', 'env-it-new']) {
      await core.deleteNamespace({ name }).catch(() => undefined);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists only labelled namespaces, with owner, workloads and pods', async () => {
    const alice = await eventually('alice fully running', async () => {
      const env = store.environment('env-it-alice');
      return env?.workloads.find((w) => w.name === 'api')?.readyReplicas === 2 && env;
    });
    assert.equal(alice.owner, 'alice');
    assert.equal(alice.timezone, 'Europe/Berlin');
    assert.deepEqual(alice.workloads.map((w) => `${w.kind}/${w.name}`), ['Deployment/api', 'StatefulSet/db', 'CronJob/report', 'Deployment/web']);
    assert.equal(alice.workloads.find((w) => w.name === 'api')!.pods.length, 2);
    assert.equal(store.environment('env-it-plain'), undefined, 'unlabelled namespaces are not environments');
    const bob = await eventually('bob crash-looping', async () => store.environment('env-it-bob')?.workloads[0]?.state === 'crash-loop' && store.environment('env-it-bob'));
    assert.ok(bob.workloads[0]!.pods[0]!.restarts >= 1);
  });

  it('updates live from watches and reports only the environment that changed', async () => {
    changes.length = 0;
    await apps.patchNamespacedDeployment({ name: 'web', namespace: 'env-it-alice', body: { spec: { replicas: 3 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await eventually('3 web pods in the model', async () => store.environment('env-it-alice')?.workloads.find((w) => w.name === 'web')?.pods.length === 3);
    assert.ok(changes.length > 0);
    assert.ok(changes.every((batch) => batch.length === 1 && batch[0] === 'env-it-alice'), `unexpected batches: ${JSON.stringify(changes)}`);
  });

  it('drops an environment whose namespace is deleted while shown', async () => {
    await createEnvironmentFixture(kc, { name: 'env-it-new', owner: 'alice', workloads: [{ kind: 'Deployment', name: 'a', replicas: 1 }] });
    await eventually('new env visible', async () => store.environment('env-it-new'));
    await deleteEnvironment(session, 'env-it-new');
    await eventually('new env gone', async () => store.environment('env-it-new') === undefined);
  });

  it('recovers after an API-server restart and shows nothing stale', async () => {
    const statuses: string[] = [];
    const off = store.onDidChangeStatus((s) => statuses.push(s.kind));
    await cluster.restartApiServer();
    // Made right after the restart, possibly before the watches are back.
    await apps.patchNamespacedDeployment({ name: 'web', namespace: 'env-it-alice', body: { spec: { replicas: 1 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await eventually('web back to 1 pod', async () => store.environment('env-it-alice')?.workloads.find((w) => w.name === 'web')?.pods.length === 1, 90_000);
    await eventually('status ready again', async () => store.status.kind === 'ready', 60_000);
    off();
    assert.ok(statuses.includes('reconnecting'), `statuses: ${statuses.join(',')}`);
  });

  it('creates environments with labels and annotations, rejecting bad input before any request', async () => {
    await createEnvironment(session, { name: 'env-it-new', owner: 'Carol Smith', timezone: 'America/New_York', awakeHours: 'mon-fri 09:00-17:00' });
    const ns = await core.readNamespace({ name: 'env-it-new' });
    assert.equal(ns.metadata!.labels!['t-env.dev/environment'], 'true');
    assert.equal(ns.metadata!.labels!['t-env.dev/owner'], 'carol-smith');
    assert.equal(ns.metadata!.annotations!['t-env.dev/timezone'], 'America/New_York');
    assert.equal(ns.metadata!.annotations!['t-env.dev/awake-hours'], 'Mon-Fri 09:00-17:00');
    await deleteEnvironment(session, 'env-it-new');
    const before = await namespaceNames();
    await assert.rejects(createEnvironment(session, { name: 'Bad_Name', owner: 'a', timezone: 'UTC', awakeHours: 'always' }), /not a valid DNS-1123 label/);
    await assert.rejects(createEnvironment(session, { name: 'ok-name', owner: 'a', timezone: 'Mars/Base', awakeHours: 'always' }), /Unknown time zone "Mars\/Base"/);
    await assert.rejects(createEnvironment(session, { name: 'ok-name', owner: 'a', timezone: 'UTC', awakeHours: 'Mon-Fry 08:00-20:00' }), /unknown day "Fry"/);
    await assert.rejects(createEnvironment(session, { name: 'env-it-alice', owner: 'a', timezone: 'UTC', awakeHours: 'always' }), /already exists/);
    assert.deepEqual(await namespaceNames(), before);
  });

  it('refuses to delete a namespace that is not a T-Env environment', async () => {
    await assert.rejects(deleteEnvironment(session, 'env-it-plain'), (e: unknown) => e instanceof TEnvError && e.kind === 'not-environment' && /not a T-Env environment/.test(e.message));
    await assert.rejects(deleteEnvironment(session, 'no-such-env'), /does not exist/);
    assert.ok((await namespaceNames()).includes('env-it-plain'));
  });

  it('sends every request of a session through one keep-alive connection pool', async () => {
    const fresh = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
    const seen: unknown[] = [];
    const record: k8s.ObservableMiddleware = {
      pre: (context) => { seen.push(context.getDispatcher()); return new k8s.Observable(Promise.resolve(context)); },
      post: (response) => new k8s.Observable(Promise.resolve(response)),
    };
    const options: k8s.ConfigurationOptions = { middleware: [record], middlewareMergeStrategy: 'append' };
    await fresh.kc.makeApiClient(k8s.CoreV1Api).listNamespace({}, options);
    await fresh.kc.makeApiClient(k8s.AppsV1Api).listDeploymentForAllNamespaces({}, options);
    await fresh.kc.makeApiClient(k8s.CoreV1Api).readNamespace({ name: 'env-it-plain' }, options);
    // Watches and log streams take theirs from the same place as every API client.
    const watch = new k8s.RequestContext(`${fresh.server}/api/v1/namespaces?watch=true`, k8s.HttpMethod.GET);
    await fresh.kc.applySecurityAuthentication(watch);
    seen.push(watch.getDispatcher());
    assert.equal(seen.length, 4);
    assert.ok(seen[0] !== undefined && seen.every((d) => d === seen[0]), 'one dispatcher for every request');
    // Another session has its own pool.
    const other = new k8s.RequestContext(`${fresh.server}/api/v1/namespaces`, k8s.HttpMethod.GET);
    await loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }).kc.applySecurityAuthentication(other);
    assert.notEqual(other.getDispatcher(), seen[0]);
  });

  describe('bad kubeconfigs and identities', () => {
    const expectStoreError = async (kubeconfig: string, kind: string, pattern: RegExp, context?: string): Promise<void> => {
      const start = async (): Promise<void> => {
        const s = new EnvironmentStore(loadKubeConfig({ kubeconfig, context }));
        await s.start();
      };
      await assert.rejects(start(), (e: unknown) => {
        assert.ok(e instanceof TEnvError, `not a typed error: ${String(e)}`);
        assert.equal(e.kind, kind);
        assert.match(e.message, pattern);
        assert.ok(e.hint, 'has a hint');
        assert.doesNotMatch(e.message + (e.hint ?? ''), /BEGIN|PRIVATE|token/i, 'no credentials in the message');
        return true;
      });
    };

    it('a broken kubeconfig file', async () => {
      const file = path.join(tmp, 'broken');
      fs.writeFileSync(file, 'apiVersion: v1\nclusters: [ {{{ not yaml');
      await expectStoreError(file, 'kubeconfig', /cannot be read/);
    });
    it('a missing context', async () => {
      await expectStoreError(cluster.kubeconfigPath, 'kubeconfig', /context "nope" does not exist \(known: local\)/, 'nope');
    });
    it('an unreachable server', async () => {
      const file = path.join(tmp, 'unreachable');
      fs.writeFileSync(file, fs.readFileSync(cluster.kubeconfigPath, 'utf8').replace(cluster.server, 'https://127.0.0.1:1'));
      await expectStoreError(file, 'unreachable', /Cannot reach the cluster at https:\/\/127\.0\.0\.1:1/);
    });
    it('rejected credentials (401)', async () => {
      const file = path.join(tmp, 'badtoken');
      fs.writeFileSync(file, [
        'apiVersion: v1', 'kind: Config', 'current-context: bad',
        'clusters:', `- name: c`, `  cluster: {server: "${cluster.server}", certificate-authority: "${cluster.dir}/pki/ca.crt"}`,
        'users:', '- name: u', '  user: {token: not-a-valid-token-0123456789}',
        'contexts:', '- name: bad', '  context: {cluster: c, user: u}', '',
      ].join('\n'));
      await expectStoreError(file, 'unauthorized', /rejected your credentials \(401\) for context "bad"/);
    });
    it('namespace-scoped rights: watches each environment it may read, skips the others', async () => {
      const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
      const read = { verbs: ['get', 'list', 'watch'] };
      await rbac.createClusterRole({ body: { metadata: { name: 'env-it-list-namespaces' }, rules: [{ apiGroups: [''], resources: ['namespaces'], ...read }] } });
      await rbac.createClusterRoleBinding({ body: { metadata: { name: 'env-it-carla-namespaces' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'env-it-list-namespaces' },
        subjects: [{ kind: 'User', name: 'carla', apiGroup: 'rbac.authorization.k8s.io' }] } });
      await rbac.createNamespacedRole({ namespace: 'env-it-alice', body: { metadata: { name: 'reader' }, rules: [
        { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], ...read }, { apiGroups: ['batch'], resources: ['cronjobs'], ...read },
        { apiGroups: [''], resources: ['pods', 'events'], ...read },
      ] } });
      await rbac.createNamespacedRoleBinding({ namespace: 'env-it-alice', body: { metadata: { name: 'carla-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'User', name: 'carla', apiGroup: 'rbac.authorization.k8s.io' }] } });
      const logs: string[] = [];
      const scoped = new EnvironmentStore(loadKubeConfig({ kubeconfig: cluster.userKubeconfig('carla') }), { onLog: (m) => logs.push(m) });
      try {
        await scoped.start();
        assert.equal(scoped.environment('env-it-alice')!.workloads.find((w) => w.name === 'api')!.pods.length, 2);
        assert.deepEqual(scoped.environment('env-it-bob')!.workloads, [], 'no rights there: shown without workloads');
        assert.ok(logs.some((m) => /may not list deployments in all namespaces; watching each environment namespace instead/.test(m)), logs.join('\n'));
        assert.ok(logs.some((m) => /Skipping deployments of env-it-bob/.test(m)), logs.join('\n'));
      } finally {
        await scoped.dispose();
        await rbac.deleteClusterRoleBinding({ name: 'env-it-carla-namespaces' });
        await rbac.deleteClusterRole({ name: 'env-it-list-namespaces' });
      }
    });
    it('no right to list namespaces (403, RBAC)', async () => {
      await expectStoreError(cluster.userKubeconfig('mallory'), 'forbidden', /you may not list namespaces/);
    });
  });

  describe('the t CLI', () => {
    it('env ls --json prints the documented shape', async () => {
      const { code, stdout, stderr } = await cli(['env', 'ls', '--all', '--json']);
      assert.equal(code, 0, stderr);
      const envs = JSON.parse(stdout) as { name: string; owner: string; state: string; timezone: string; awakeHours: string; awakeUntil: string | null; workloads: { kind: string; name: string; replicas: number; readyReplicas: number; devMode: boolean }[] }[];
      const alice = envs.find((e) => e.name === 'env-it-alice')!;
      assert.equal(alice.owner, 'alice');
      assert.equal(alice.timezone, 'Europe/Berlin');
      assert.equal(alice.awakeHours, 'Mon-Fri 08:00-20:00');
      assert.equal(alice.awakeUntil, null);
      assert.ok(['awake', 'waking'].includes(alice.state));
      const api = alice.workloads.find((w) => w.name === 'api')!;
      assert.deepEqual([api.kind, api.replicas, api.devMode], ['Deployment', 2, false]);
      assert.ok(!envs.some((e) => e.name === 'env-it-plain'));
    });
    it('env ls shows only mine by default', async () => {
      const { stdout } = await cli(['env', 'ls', '--json'], { T_ENV_USER: 'bob' });
      assert.deepEqual((JSON.parse(stdout) as { name: string }[]).map((e) => e.name), ['env-it-bob']);
      const text = await cli(['env', 'ls'], { T_ENV_USER: 'bob' });
      assert.match(text.stdout, /^NAME\s+OWNER\s+STATE/m);
      assert.match(text.stdout, /env-it-bob\s+bob/);
    });
    it('env create and delete, with usage errors exiting 2 and failures 1', async () => {
      const created = await cli(['env', 'create', 'env-it-cli', '--owner', 'dora', '--timezone', 'Asia/Kathmandu', '--awake-hours', 'always', '--json']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal((JSON.parse(created.stdout) as { owner: string }).owner, 'dora');
      const noConfirm = await cli(['env', 'delete', 'env-it-cli']);
      assert.equal(noConfirm.code, 1);
      assert.match(noConfirm.stderr, /without confirmation/);
      const deleted = await cli(['env', 'delete', 'env-it-cli', '--yes']);
      assert.equal(deleted.code, 0, deleted.stderr);
      await assert.rejects(core.readNamespace({ name: 'env-it-cli' }));
      const usage = await cli(['env', 'create']);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /Missing argument <name>/);
      const bad = await cli(['env', 'create', 'NOPE']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^error: .*not a valid DNS-1123 label/m);
      const refused = await cli(['env', 'delete', 'env-it-plain', '--yes']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /not a T-Env environment/);
      const ctx = await cli(['env', 'ls', '--context', 'nope']);
      assert.equal(ctx.code, 1);
      assert.match(ctx.stderr, /context "nope" does not exist/);
    });
  });
});
