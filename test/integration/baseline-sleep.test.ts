// A baseline with `t-env.dev/awake-hours: auto` through the real sleeper on the local control
// plane, with a clock the test controls: it is awake while any environment made from it is (an
// overlay until 18:00, a full copy until 20:00), sleeps when both sleep and wakes when one wakes,
// and a manual Wake of the asleep overlay or copy wakes it at once, with no marker of its own (a
// developer who may not scale it still wakes the overlay, told why the baseline waits). The baseline is the multi-service shop of
// test/fixtures/overlay-shop.yaml; the environments are made from it by the real create.
// Berlin in January is UTC+1; 2026-01-12 is a Monday.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { attachCluster } from '../cluster/cluster.ts';
import { eventually } from '../fixtures/environments.ts';
import { runCli } from '../fixtures/cli.ts';
import type { CliRun } from '../fixtures/cli.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { createFromBaseline } from '../../src/adapters/baseline.ts';
import { createOverlay } from '../../src/adapters/overlay.ts';
import { wakeEnvironment } from '../../src/adapters/sleep.ts';
import { reconcileAll } from '../../src/adapters/sleeper.ts';
import type { SleeperPass } from '../../src/adapters/sleeper.ts';
import { ANNOTATION_SLEEP_LEDGER, parseLedger } from '../../src/core/sleep-ledger.ts';
import type { SleepLedger } from '../../src/core/sleep-ledger.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const admin: KubeSession = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures');

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `autobase-it-${run}`;
const selector = `t-env.dev/owner=${owner}`;
const base = `autobase-${run}`;
const overlay = `autobase-${run}-cart`;
const copy = `autobase-${run}-copy`;
const created = [base, overlay, copy];
const at = (iso: string): Date => new Date(iso);

/** Replicas of every Deployment and StatefulSet of a namespace, by `Kind/name`. */
async function replicas(namespace: string): Promise<Record<string, number>> {
  const [deployments, statefulSets] = await Promise.all([apps.listNamespacedDeployment({ namespace }), apps.listNamespacedStatefulSet({ namespace })]);
  return Object.fromEntries([
    ...deployments.items.map((d) => [`Deployment/${d.metadata?.name}`, d.spec?.replicas ?? 1] as const),
    ...statefulSets.items.map((s) => [`StatefulSet/${s.metadata?.name}`, s.spec?.replicas ?? 1] as const),
  ].sort());
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

async function annotationsOf(namespace: string): Promise<Record<string, string>> {
  return (await core.readNamespace({ name: namespace })).metadata?.annotations ?? {};
}

async function ledgerOf(namespace: string): Promise<SleepLedger | undefined> {
  const read = parseLedger((await annotationsOf(namespace))[ANNOTATION_SLEEP_LEDGER]);
  assert.equal(read.problem, undefined);
  return read.ledger;
}

function resultOf(pass: SleeperPass, name: string): { action: string; desired: string | undefined; problems: readonly string[] } | undefined {
  const r = pass.environments.find((e) => e.name === name);
  return r && { action: r.action, desired: r.desired, problems: r.problems };
}

const sleeper = (iso: string): Promise<SleeperPass> => reconcileAll(admin, { selector, now: at(iso) });

let awakeBaseline: Record<string, number> = {};

before(async () => {
  // CI/CD's namespace, opted in to sleep with `auto` (the owner label only scopes the test's passes).
  await core.createNamespace({ body: { metadata: { name: base, labels: { 't-env.dev/baseline': 'true', 't-env.dev/owner': owner }, annotations: { 't-env.dev/awake-hours': 'auto' } } } });
  const text = fs.readFileSync(path.join(fixtures, 'overlay-shop.yaml'), 'utf8').replaceAll('BASELINE', base);
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as k8s.KubernetesObject;
    await objects.create({ ...obj, metadata: { ...obj.metadata, namespace: base } });
  }
  awakeBaseline = await replicas(base);
  assert.ok(Object.keys(awakeBaseline).length >= 10 && total(awakeBaseline) > 0, JSON.stringify(awakeBaseline));
  await createOverlay(admin, { name: overlay, baseline: base, owner, timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-18:00' }, { only: ['cart'] });
  await createFromBaseline(admin, { name: copy, baseline: base, owner, timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00' });
});

after(async () => {
  await Promise.all(created.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe('a baseline with awake-hours auto, through the sleeper', () => {
  it('is awake while its overlay or its full copy is, sleeps when both sleep and wakes when one wakes', async () => {
    const monday = await sleeper('2026-01-12T09:00:00Z'); // 10:00 in Berlin: both work
    assert.deepEqual(resultOf(monday, overlay)?.desired, 'awake');
    assert.deepEqual(resultOf(monday, copy)?.desired, 'awake');
    assert.deepEqual(resultOf(monday, base), { action: 'none', desired: 'awake', problems: [] });
    assert.deepEqual(await replicas(base), awakeBaseline);

    const evening = await sleeper('2026-01-12T17:30:00Z'); // 18:30: the overlay's day is over, the copy's is not
    assert.deepEqual(resultOf(evening, overlay)?.action, 'sleep');
    assert.deepEqual(resultOf(evening, copy)?.desired, 'awake');
    assert.deepEqual(resultOf(evening, base), { action: 'none', desired: 'awake', problems: [] }, 'the full copy keeps it up');
    assert.deepEqual(await replicas(base), awakeBaseline);

    const night = await sleeper('2026-01-12T19:30:00Z'); // 20:30: nobody works from it any more
    assert.deepEqual(resultOf(night, copy)?.action, 'sleep');
    assert.deepEqual(resultOf(night, base), { action: 'sleep', desired: 'asleep', problems: [] });
    assert.equal(total(await replicas(base)), 0, 'every workload of the baseline is at 0');
    const slept = await ledgerOf(base);
    assert.deepEqual(slept && { state: slept.state, cause: slept.cause }, { state: 'asleep', cause: 'schedule' });

    const steady = await sleeper('2026-01-12T20:00:00Z');
    assert.deepEqual(resultOf(steady, base), { action: 'none', desired: 'asleep', problems: [] });

    const tuesday = await sleeper('2026-01-13T07:00:00Z'); // 08:00: the overlay and the copy wake, and so does their baseline
    assert.deepEqual(resultOf(tuesday, overlay)?.action, 'wake');
    assert.deepEqual(resultOf(tuesday, copy)?.action, 'wake');
    assert.deepEqual(resultOf(tuesday, base), { action: 'wake', desired: 'awake', problems: [] });
    assert.deepEqual(await replicas(base), awakeBaseline, 'every count restored');
    assert.equal((await annotationsOf(base))['t-env.dev/awake-until'], undefined, 'no marker on the baseline');
  });

  it('a manual Wake of the asleep overlay wakes the baseline at once; when the wake ends both sleep again', async () => {
    await sleeper('2026-01-13T19:30:00Z'); // Tuesday 20:30: all asleep
    assert.equal(total(await replicas(base)), 0);
    assert.equal(total(await replicas(overlay)), 0);

    const woken = await wakeEnvironment(admin, overlay, { now: at('2026-01-13T20:00:00Z'), forMs: 3_600_000, minimumHours: 0, actor: { user: 'alice', via: 'the CLI' } });
    assert.deepEqual(woken.problems, []);
    assert.equal(woken.baseline?.name, base);
    assert.equal(woken.baseline?.changed, Object.keys(awakeBaseline).length);
    assert.deepEqual(await replicas(base), awakeBaseline, 'woken without waiting for the sleeper');
    assert.ok(total(await replicas(overlay)) > 0);
    const annotations = await annotationsOf(base);
    assert.equal(annotations['t-env.dev/awake-until'], undefined, 'it stays awake because the overlay is, not by a marker');
    const ledger = await ledgerOf(base);
    assert.deepEqual(ledger && { state: ledger.state, cause: ledger.cause }, { state: 'awake', cause: 'manual' });

    // Woken again: the baseline already is, so nothing more is sent to it.
    const again = await wakeEnvironment(admin, overlay, { now: at('2026-01-13T20:05:00Z'), forMs: 3_300_000, minimumHours: 0, actor: { user: 'alice', via: 'the CLI' } });
    assert.equal(again.baseline, undefined);

    const during = await sleeper('2026-01-13T20:30:00Z');
    assert.deepEqual(resultOf(during, base), { action: 'none', desired: 'awake', problems: [] });
    assert.deepEqual(await replicas(base), awakeBaseline);

    const ended = await sleeper('2026-01-13T21:30:00Z'); // the wake lasted until 21:00
    assert.deepEqual(resultOf(ended, overlay)?.action, 'sleep');
    assert.deepEqual(resultOf(ended, base), { action: 'sleep', desired: 'asleep', problems: [] });
    assert.equal(total(await replicas(base)), 0);
  });

  it('t env baselines and t schedule next say what an auto baseline follows', async () => {
    const t = (args: string[]): Promise<CliRun> => runCli(args, { KUBECONFIG: cluster.kubeconfigPath, T_ENV_USER: owner });
    const list = await t(['env', 'baselines']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.stdout.split('\n').includes(`${base}  awake while an environment made from ${base} is awake`), list.stdout);
    const json = await t(['env', 'baselines', '--json']);
    assert.deepEqual((JSON.parse(json.stdout) as { name: string }[]).find((b) => b.name === base), { name: base, awakeHours: 'auto' });
    const schedule = await t(['schedule', 'next', '--hours', 'auto']);
    assert.deepEqual([schedule.code, schedule.stdout], [0, 'auto: a baseline\'s setting, awake while an environment made from it is awake; no clock to evaluate\n']);
  });

  it('a Wake of the asleep full copy wakes the baseline too; when it ends both sleep again', async () => {
    assert.equal(total(await replicas(copy)), 0);
    assert.equal(total(await replicas(base)), 0);
    const woken = await wakeEnvironment(admin, copy, { now: at('2026-01-13T21:40:00Z'), forMs: 1_200_000, minimumHours: 0 });
    assert.equal(woken.baseline?.name, base);
    assert.ok(total(await replicas(copy)) > 0);
    assert.deepEqual(await replicas(base), awakeBaseline);
    const ended = await sleeper('2026-01-13T22:10:00Z'); // the wake lasted until 22:00
    assert.deepEqual(resultOf(ended, copy)?.action, 'sleep');
    assert.deepEqual(resultOf(ended, base), { action: 'sleep', desired: 'asleep', problems: [] });
  });

  it('a developer who may not scale the baseline still wakes the overlay; the wake says why the baseline waits for the sleeper', async () => {
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    const waker = `${owner}-waker`;
    // Rights on the overlay only, as a developer in a cluster whose baselines belong to CI/CD.
    await core.createNamespacedServiceAccount({ namespace: overlay, body: { metadata: { name: 'waker' } } });
    const subject = [{ kind: 'ServiceAccount', name: 'waker', namespace: overlay }];
    await rbac.createNamespacedRole({ namespace: overlay, body: { metadata: { name: 'waker' }, rules: [
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ] } });
    await rbac.createNamespacedRoleBinding({ namespace: overlay, body: { metadata: { name: 'waker' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'waker' }, subjects: subject } });
    const clusterRole = (name: string, rules: k8s.V1PolicyRule[]): Promise<unknown> => Promise.all([
      rbac.createClusterRole({ body: { metadata: { name }, rules } }),
      rbac.createClusterRoleBinding({ body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: subject } }),
    ]);
    try {
      await clusterRole(waker, [{ apiGroups: [''], resources: ['namespaces'], resourceNames: [overlay], verbs: ['get', 'patch'] }]);
      const { status } = await core.createNamespacedServiceAccountToken({ namespace: overlay, name: 'waker', body: { spec: { audiences: [], expirationSeconds: 600 } } });
      const saKc = new k8s.KubeConfig();
      saKc.loadFromOptions({
        clusters: [{ name: 'local', server: cluster.server, caFile: path.join(cluster.dir, 'pki', 'ca.crt'), skipTLSVerify: false }],
        users: [{ name: 'waker', token: status?.token ?? '' }], contexts: [{ name: 'waker', cluster: 'local', user: 'waker' }], currentContext: 'waker',
      });
      const developer: KubeSession = { kc: saKc, context: 'waker', server: cluster.server };
      await sleeper('2026-01-13T22:30:00Z');
      assert.equal(total(await replicas(overlay)), 0);
      assert.equal(total(await replicas(base)), 0);
      const wake = (): ReturnType<typeof wakeEnvironment> => wakeEnvironment(developer, overlay, { now: at('2026-01-13T22:35:00Z'), forMs: 3_600_000, minimumHours: 0, actor: { user: 'dev', via: 'the CLI' } });

      // May not even read the baseline: whether it follows its overlays cannot be told, nothing is said.
      const unread = await eventually('a wake as the developer', wake);
      assert.deepEqual([unread.problems, unread.baseline], [[], undefined]);
      assert.ok(total(await replicas(overlay)) > 0, 'the overlay is awake');
      assert.equal(total(await replicas(base)), 0);

      // May read it but not scale it: the wake succeeds and says why the baseline waits.
      await clusterRole(`${waker}-list`, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }]);
      const refused = await eventually('the list right in force', async () => { const r = await wake(); return r.problems.length > 0 && r; });
      assert.equal(refused.baseline, undefined);
      assert.equal(refused.problems.length, 1);
      assert.match(refused.problems[0]!, new RegExp(`^The baseline "${base}" was not woken \\(Access denied: .+\\); the sleeper wakes it at its next pass\\.$`));
      assert.equal(total(await replicas(base)), 0);
      assert.equal((await ledgerOf(base))?.state, 'asleep', 'nothing was written on the baseline');

      // And the sleeper does.
      const pass = await sleeper('2026-01-13T22:40:00Z');
      assert.deepEqual(resultOf(pass, base), { action: 'wake', desired: 'awake', problems: [] });
      assert.deepEqual(await replicas(base), awakeBaseline);
    } finally {
      await Promise.all([waker, `${waker}-list`].flatMap((name) => [
        rbac.deleteClusterRole({ name }).catch(() => undefined), rbac.deleteClusterRoleBinding({ name }).catch(() => undefined),
      ]));
    }
  });

  it('an overlay woken while a pass is putting it to sleep: the pass defers the overlay and its auto baseline', async () => {
    // 01:00 Berlin-time Wednesday: the developer's wake above has ended, so the pass wants both asleep…
    let woke = false;
    let environmentLists = 0;
    const pass = await reconcileAll(admin, {
      selector, now: at('2026-01-14T00:00:00Z'),
      hooks: {
        // …but as the pass re-reads the environments before writing (its second list of them), a
        // Wake lands on the overlay (the marker it writes).
        beforeRequest: async (r) => {
          if (woke || r.verb !== 'list' || r.resource !== 'namespaces' || !r.labelSelector?.startsWith('t-env.dev/environment=true') || ++environmentLists < 2) return;
          woke = true;
          await core.patchNamespace({ name: overlay, body: { metadata: { annotations: { 't-env.dev/awake-until': '2026-01-14T08:00:00Z' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
        },
      },
    });
    assert.ok(woke, 'the pass re-read the overlay');
    assert.equal(resultOf(pass, overlay)?.action, 'none');
    assert.equal(resultOf(pass, base)?.action, 'none', 'the baseline waits for the next pass');
    assert.ok(pass.environments.find((e) => e.name === base)?.skipped.some((t) => t.includes(`${overlay}, made from it, changed during the pass`)));
    assert.deepEqual(await replicas(base), awakeBaseline, 'the baseline still serves the woken overlay');
    const next = await sleeper('2026-01-14T00:05:00Z');
    assert.deepEqual(resultOf(next, base), { action: 'none', desired: 'awake', problems: [] }, 'the next pass sees the overlay awake');
  });
});
