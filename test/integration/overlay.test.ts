// Overlay environments against the real local control plane: a baseline shaped like a real
// multi-service shop (test/fixtures/overlay-shop.yaml) is deployed, then planned, overlaid, added
// to, dropped from, compared and refreshed, through the adapters and the `t` CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { attachCluster } from '../cluster/cluster.ts';
import { runCli } from '../fixtures/cli.ts';
import type { CliRun } from '../fixtures/cli.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { diffEnvironment, refreshEnvironment } from '../../src/adapters/baseline.ts';
import { addServicesToOverlay, addToOverlay, createOverlay, dropFromOverlay, planOverlayFrom, workloadsBehindServices } from '../../src/adapters/overlay.ts';
import { EnvironmentStore } from '../../src/adapters/environment-store.ts';
import { planJson } from '../../src/core/overlay-plan.ts';
import type { OverlayView } from '../../src/core/overlay-view.ts';
import { eventually } from '../fixtures/environments.ts';
import { TEnvError } from '../../src/core/errors.ts';

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
const base = `shop-${run}`;
const owner = `overlay-it-${run}`;
const created: string[] = [base];
const t = (args: string[]): Promise<CliRun> => runCli(args, { KUBECONFIG: cluster.kubeconfigPath, T_ENV_USER: owner });

const cartPlan = {
  baseline: base,
  run: [
    { name: 'cart', reasons: ['chosen'] },
    { name: 'checkout', reasons: ['calls cart'] },
    { name: 'frontend', reasons: ['calls cart', 'calls checkout'] },
    { name: 'partner-api', reasons: ['calls checkout'] },
  ],
  routed: ['ad', 'currency', 'email', 'payment', 'productcatalog', 'recommendation', 'redis-cart', 'shipping'],
  shared: [{ from: 'cart', to: 'redis-cart' }],
};

async function names(list: Promise<{ items: k8s.KubernetesObject[] }>, filter: (o: k8s.KubernetesObject) => boolean = () => true): Promise<string[]> {
  return (await list).items.filter(filter).map((o) => o.metadata?.name ?? '').sort();
}
const routed = (o: k8s.KubernetesObject): boolean => o.metadata?.annotations?.['t-env.dev/routed-to'] === base;

before(async () => {
  await core.createNamespace({ body: { metadata: { name: base, labels: { 't-env.dev/baseline': 'true' }, annotations: { 't-env.dev/git-ref': 'release' } } } });
  const text = fs.readFileSync(path.join(fixtures, 'overlay-shop.yaml'), 'utf8').replaceAll('BASELINE', base);
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as k8s.KubernetesObject;
    await objects.create({ ...obj, metadata: { ...obj.metadata, namespace: base } });
  }
});

after(async () => {
  await Promise.all(created.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe('plan', () => {
  it('runs the chosen workload and its callers from both entry points; routes the rest; names the shared datastore', async () => {
    const { plan, warnings } = await planOverlayFrom(admin, base, { only: ['cart'] });
    assert.deepEqual(warnings, []);
    assert.deepEqual(planJson(plan), cartPlan);
  });

  it('t env plan prints the same as JSON and as text, and changes nothing', async () => {
    const json = await t(['env', 'plan', '--from', base, '--only', 'cart', '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), cartPlan);
    const text = await t(['env', 'plan', '--from', base, '--only', 'cart', '--without', 'partner-api', '--with', 'redis-cart']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Runs 4 workloads:\n {2}cart +chosen\n {2}checkout +calls cart\n {2}frontend +calls cart; calls checkout\n {2}redis-cart +added with --with\n/);
    assert.match(text.stdout, /Routed to shop-\w+: ad, currency, email, partner-api, payment, productcatalog, recommendation, shipping\n/);
    assert.ok(!(await core.listNamespace()).items.some((ns) => ns.metadata?.annotations?.['t-env.dev/baseline'] === base));
  });

  it('refuses unknown workloads in one actionable error, creating nothing', async () => {
    const plan = await t(['env', 'plan', '--from', base, '--only', 'cart', '--with', 'carts']);
    assert.equal(plan.code, 1);
    assert.match(plan.stderr, /--with: "carts" is not a workload of the baseline shop-\w+\.\nhint: Workloads of shop-\w+: ad, cart, checkout, currency, email, frontend, partner-api, payment, productcatalog, recommendation, redis-cart, shipping\./);
    const env = `bad-${run}`;
    const create = await t(['env', 'create', env, '--from', base, '--only', 'ghost']);
    assert.equal(create.code, 1);
    assert.match(create.stderr, /--only: "ghost" is not a workload/);
    assert.equal(await core.readNamespace({ name: env }).then(() => true, () => false), false);
  });
});

describe('an overlay, created, added to, dropped from, compared and refreshed', () => {
  const env = `jane-${run}`;
  before(async () => {
    created.push(env);
    const create = await t(['env', 'create', env, '--from', base, '--only', 'cart', '--timezone', 'UTC', '--awake-hours', 'always']);
    assert.equal(create.code, 0, create.stderr);
    assert.match(create.stdout, /Runs 4 workloads:[\s\S]*cart → redis-cart \(shared with shop-\w+; add it with --with redis-cart\)[\s\S]*Created overlay jane-/);
  });

  it('copies the planned workloads with their Services and config, and routes every other Service', async () => {
    const ns = await core.readNamespace({ name: env });
    assert.equal(ns.metadata?.annotations?.['t-env.dev/overlay'], 'true');
    assert.equal(ns.metadata?.annotations?.['t-env.dev/copy-pending'], undefined);
    assert.deepEqual(await names(apps.listNamespacedDeployment({ namespace: env })), ['cart', 'checkout', 'frontend', 'partner-api']);
    assert.deepEqual(await names(apps.listNamespacedStatefulSet({ namespace: env })), []);
    const services = core.listNamespacedService({ namespace: env });
    assert.deepEqual(await names(services, (o) => !routed(o)), ['cart', 'checkout', 'frontend', 'frontend-external', 'partner-api']);
    assert.deepEqual(await names(services, routed), cartPlan.routed);
    const alias = await core.readNamespacedService({ namespace: env, name: 'redis-cart' });
    assert.equal(alias.spec?.type, 'ExternalName');
    assert.equal(alias.spec?.externalName, `redis-cart.${base}.svc.cluster.local`);
    assert.equal((await core.readNamespacedService({ namespace: env, name: 'frontend-external' })).spec?.type, 'ClusterIP');
    assert.deepEqual(await names(core.listNamespacedConfigMap({ namespace: env }), (o) => o.metadata?.name !== 'kube-root-ca.crt'), ['cart-config', 'checkout-config', 'partner-api-config']);
    assert.deepEqual(await names(core.listNamespacedSecret({ namespace: env })), ['payment-gateway']);
    assert.deepEqual(await names(core.listNamespacedServiceAccount({ namespace: env }), (o) => o.metadata?.name !== 'default'), ['partner-api']);
    assert.deepEqual(await names(networking.listNamespacedIngress({ namespace: env })), []);
  });

  it('copied pods search the baseline\'s domain, and namespace references point at the overlay (which routes them)', async () => {
    const frontend = await apps.readNamespacedDeployment({ namespace: env, name: 'frontend' });
    assert.deepEqual(frontend.spec?.template.spec?.dnsConfig?.searches, [`${base}.svc.cluster.local`]);
    const vars = Object.fromEntries((frontend.spec?.template.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(vars['RECOMMENDATION_SERVICE_ADDR'], `recommendation.${env}:8080`);
    assert.equal(vars['AD_SERVICE_ADDR'], `ad.${env}.svc.cluster.local:9555`);
    assert.equal(frontend.spec?.replicas, 1);
  });

  it('an untouched overlay diffs in sync (routed Services included) and refresh applies nothing', async () => {
    const diff = await diffEnvironment(admin, env);
    assert.equal(diff.overlay, true);
    assert.deepEqual(diff.entries.filter((e) => e.status !== 'in-sync').map((e) => `${e.kind}/${e.name}:${e.status}`), []);
    assert.ok(diff.entries.some((e) => e.kind === 'Service' && e.name === 'email' && e.status === 'in-sync'));
    assert.ok(!diff.entries.some((e) => e.kind === 'Deployment' && e.name === 'email'));
    const refresh = await refreshEnvironment(admin, env);
    assert.equal(refresh.applied, 0);
  });

  it('refresh follows the baseline for what the overlay runs, routes new Services, never adds routed workloads', async () => {
    await apps.patchNamespacedDeployment({ namespace: base, name: 'email', body: { spec: { template: { spec: { containers: [{ name: 'server', image: 'registry.example/shop/email:2' }] } } } } }, mergePatch);
    await apps.patchNamespacedDeployment({ namespace: base, name: 'cart', body: { spec: { template: { spec: { containers: [{ name: 'server', image: 'registry.example/shop/cart:2' }] } } } } }, mergePatch);
    await core.createNamespacedService({ namespace: base, body: { metadata: { name: 'search' }, spec: { selector: { app: 'search' }, ports: [{ port: 80 }] } } });
    await apps.createNamespacedDeployment({ namespace: base, body: {
      metadata: { name: 'search' },
      spec: { selector: { matchLabels: { app: 'search' } }, template: { metadata: { labels: { app: 'search' } }, spec: { containers: [{ name: 's', image: 'registry.example/shop/search:1' }] } } },
    } });
    const diff = await t(['env', 'diff', env, '--json']);
    assert.equal(diff.code, 0, diff.stderr);
    assert.deepEqual((JSON.parse(diff.stdout) as { objects: { status: string }[] }).objects.filter((o) => o.status !== 'in-sync'), [
      { kind: 'Service', name: 'search', status: 'only-in-baseline' },
      { kind: 'Deployment', name: 'cart', status: 'behind', image: { from: 'server=registry.example/shop/cart:1', to: 'server=registry.example/shop/cart:2' } },
    ]);
    const refresh = await t(['env', 'refresh', env]);
    assert.equal(refresh.code, 0, refresh.stderr);
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'cart' })).spec?.template.spec?.containers[0]?.image, 'registry.example/shop/cart:2');
    assert.equal((await core.readNamespacedService({ namespace: env, name: 'search' })).spec?.externalName, `search.${base}.svc.cluster.local`);
    assert.deepEqual(await names(apps.listNamespacedDeployment({ namespace: env })), ['cart', 'checkout', 'frontend', 'partner-api']);
    assert.deepEqual((await diffEnvironment(admin, env)).entries.filter((e) => e.status !== 'in-sync'), []);
  });

  it('add copies a routed workload with its Service (the alias replaced); drop routes it back and removes its config', async () => {
    const add = await t(['env', 'add', env, 'redis-cart', 'email']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /Added to jane-\w+: redis-cart, email/);
    assert.deepEqual(await names(apps.listNamespacedStatefulSet({ namespace: env })), ['redis-cart']);
    const redis = await core.readNamespacedService({ namespace: env, name: 'redis-cart' });
    assert.equal(redis.spec?.clusterIP, 'None');
    assert.equal(redis.metadata?.annotations?.['t-env.dev/routed-to'], undefined);
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'email' })).spec?.template.spec?.containers[0]?.image, 'registry.example/shop/email:2');

    const drop = await dropFromOverlay(admin, env, ['checkout', 'email']);
    assert.deepEqual(drop.workloads, ['checkout', 'email']);
    assert.deepEqual(await names(apps.listNamespacedDeployment({ namespace: env })), ['cart', 'frontend', 'partner-api']);
    assert.equal((await core.readNamespacedService({ namespace: env, name: 'checkout' })).spec?.type, 'ExternalName');
    assert.deepEqual(await names(core.listNamespacedConfigMap({ namespace: env }), (o) => o.metadata?.name !== 'kube-root-ca.crt'), ['cart-config', 'partner-api-config']);
    assert.deepEqual(await names(core.listNamespacedSecret({ namespace: env })), []);
    assert.deepEqual((await diffEnvironment(admin, env)).entries.filter((e) => e.status !== 'in-sync'), []);
  });

  it('drop refuses a workload in dev mode; add and drop refuse unknown names and environments that are not overlays', async () => {
    await apps.patchNamespacedDeployment({ namespace: env, name: 'frontend', body: { metadata: { labels: { 'dev.okteto.com': 'true' } } } }, mergePatch);
    const refused = await t(['env', 'drop', env, 'frontend']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /frontend is in dev mode in jane-\w+; nothing was dropped\.\nhint: Stop dev mode first: t dev stop frontend --env jane-/);
    assert.ok(await apps.readNamespacedDeployment({ namespace: env, name: 'frontend' }));
    await assert.rejects(addToOverlay(admin, env, ['ghost']), (e: unknown) => e instanceof TEnvError && /t env add: "ghost" is not a workload/.test(e.message));
    const full = `full-${run}`;
    created.push(full);
    await core.createNamespace({ body: { metadata: { name: full, labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': owner }, annotations: { 't-env.dev/baseline': base } } } });
    await assert.rejects(dropFromOverlay(admin, full, ['cart']), (e: unknown) => e instanceof TEnvError && e.kind === 'not-overlay');
  });
});

describe('createOverlay (the adapter the MCP server calls)', () => {
  it('creates an overlay with --with and --without and reports its plan', async () => {
    const env = `mcp-${run}`;
    created.push(env);
    const result = await createOverlay(admin, { name: env, baseline: base, owner, timezone: 'UTC', awakeHours: 'always' }, { only: ['recommendation'], without: ['frontend'] });
    assert.deepEqual(result.plan?.run, [{ name: 'recommendation', reasons: ['chosen'] }]);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(await names(apps.listNamespacedDeployment({ namespace: env })), ['recommendation']);
    assert.equal((await core.readNamespacedService({ namespace: env, name: 'frontend' })).spec?.type, 'ExternalName');
  });
});

describe('--changed (a real git checkout)', () => {
  it('plans and creates an overlay of the services changed since the baseline\'s git ref', async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-overlay-git-'));
    const git = (...args: string[]): string => execFileSync('git', args, {
      cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_GLOBAL: '/dev/null' },
    });
    const write = (file: string, text: string): void => { fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true }); fs.writeFileSync(path.join(repo, file), text); };
    git('init', '-q', '-b', 'release');
    write('okteto.yml', 'build:\n  email:\n    context: services/email\ndev:\n  cart:\n    sync:\n      - services/cart:/app\n  notifications:\n    sync:\n      - services/notifications:/app\n');
    for (const f of ['services/cart/main.go', 'services/email/main.py', 'services/notifications/main.rs']) write(f, 'v1\n');
    git('add', '.');
    git('commit', '-q', '-m', 'release');
    git('checkout', '-q', '-b', 'feature');
    write('services/cart/main.go', 'v2\n');
    git('commit', '-q', '-am', 'cart');
    write('services/notifications/main.rs', 'v2\n');
    write('notes.txt', 'in no service\n');
    const manifest = path.join(repo, 'okteto.yml');

    const plan = await t(['env', 'plan', '--from', base, '--changed', '-f', manifest, '--json']);
    assert.equal(plan.code, 0, plan.stderr);
    const json = JSON.parse(plan.stdout) as typeof cartPlan;
    assert.deepEqual(json.run, [{ name: 'cart', reasons: ['changed: services/cart/main.go'] }, ...cartPlan.run.slice(1)]);
    const text = await t(['env', 'plan', '--from', base, '--changed', '-f', manifest, '--with', 'email']);
    assert.match(text.stdout, /note: notifications changed but is no workload of shop-\w+\n/);
    assert.match(text.stdout, / {2}email +added with --with\n/);

    const env = `changed-${run}`;
    created.push(env);
    const create = await t(['env', 'create', env, '--from', base, '--changed', '-f', manifest, '--timezone', 'UTC', '--awake-hours', 'always', '--json']);
    assert.equal(create.code, 0, create.stderr);
    assert.deepEqual((JSON.parse(create.stdout) as { plan: unknown }).plan, json);
    assert.deepEqual(await names(apps.listNamespacedDeployment({ namespace: env })), ['cart', 'checkout', 'frontend', 'partner-api']);

    const usage = await t(['env', 'create', `x-${run}`, '--from', base, '--changed', '--only', 'cart']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Pass --only or --changed, not both/);
  });
});

describe('Start Dev on a workload the overlay routes (okteto stand-in)', () => {
  it('--add adds it first, then okteto up takes it over; without --add and no terminal, one actionable error', async () => {
    const env = `dev-${run}`;
    created.push(env);
    await createOverlay(admin, { name: env, baseline: base, owner, timezone: 'UTC', awakeHours: 'always' }, { only: ['cart'], without: ['frontend', 'partner-api', 'checkout'] });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-overlay-home-'));
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-overlay-ws-'));
    fs.writeFileSync(path.join(workspace, 'okteto.yml'), 'dev:\n  email:\n    image: busybox\n    command: sh\n    sync:\n      - .:/usr/src/app\n');
    const root = path.resolve(import.meta.dirname, '..', '..');
    const state = path.join(home, '.okteto', env, 'email', 'okteto.state');
    const dev = (args: string[]): Promise<CliRun> => new Promise((resolve) => {
      const child = spawn(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', path.join(root, 'src', 'cli.ts'), 'dev', 'start', 'email', '-e', env, ...args], {
        cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, NO_COLOR: '1', HOME: home, T_ENV_USER: owner, T_ENV_OKTETO_PATH: path.join(root, 'test', 'fixtures', 'okteto-fake', 'okteto'), OKTETO_FAKE_STEP_MS: '100' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      // Like a developer leaving the dev container's shell once it is ready.
      const timer = setInterval(() => {
        if (fs.existsSync(state) && fs.readFileSync(state, 'utf8').trim() === 'ready') { clearInterval(timer); child.stdin.write('exit\n'); }
      }, 100);
      child.on('exit', (code) => { clearInterval(timer); resolve({ code, stdout, stderr }); });
    });

    const refused = await dev([]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /email runs in the baseline shop-\w+, not in the overlay dev-\w+: dev mode needs it in the environment\.\nhint: Pass --add to add it first/);
    assert.equal((await core.readNamespacedService({ namespace: env, name: 'email' })).spec?.type, 'ExternalName');

    const started = await dev(['--add']);
    assert.equal(started.code, 0, started.stderr + started.stdout);
    assert.match(started.stdout, /Added email to dev-\w+\./);
    assert.equal((await core.readNamespacedService({ namespace: env, name: 'email' })).spec?.type, 'ClusterIP');
    const email = await apps.readNamespacedDeployment({ namespace: env, name: 'email' });
    assert.equal(email.metadata?.labels?.['dev.okteto.com'], 'true');
  });
});

describe('the live store: what the VS Code tree shows of an overlay', () => {
  const env = `tree-${run}`;
  let store: EnvironmentStore;
  const overlay = (): OverlayView | undefined => store.environment(env)?.overlay;
  before(async () => {
    created.push(env);
    await createOverlay(admin, { name: env, baseline: base, owner, timezone: 'UTC', awakeHours: 'always' }, { only: ['cart'], without: ['partner-api'] });
    store = new EnvironmentStore(admin, { batchMs: 20 });
    await store.start();
  });
  after(async () => {
    await store.dispose();
  });

  it('counts what the overlay runs and lists its routed Services, from its watches; add and drop move a workload between them', async () => {
    const routedNames = (): string[] | undefined => overlay()?.routedServices?.map((r) => r.name);
    await eventually('the overlay view', async () => overlay()?.running === 3);
    // The baseline as it stands (earlier tests add workloads and Services to it), listed once.
    const inBaseline = new Set([...await names(apps.listNamespacedDeployment({ namespace: base })), ...await names(apps.listNamespacedStatefulSet({ namespace: base }))]);
    assert.ok(inBaseline.has('email') && inBaseline.has('redis-cart'));
    const routedHere = await names(core.listNamespacedService({ namespace: env }), routed);
    assert.ok(routedHere.includes('partner-api') && routedHere.includes('email'), routedHere.join());
    const view = overlay()!;
    assert.deepEqual({ ...view, routedServices: view.routedServices?.map((r) => r.name) }, {
      baseline: base, running: 3, total: inBaseline.size, routedWorkloads: [...inBaseline].filter((w) => !['cart', 'checkout', 'frontend'].includes(w)).sort(),
      routedServices: routedHere,
    });
    assert.ok(view.routedServices?.every((r) => r.baseline === base));
    assert.equal(store.environment(env)?.baseline, base);
    await addToOverlay(admin, env, ['email']);
    await eventually('email runs in the overlay', async () => overlay()?.running === 4 && !routedNames()?.includes('email') && !overlay()?.routedWorkloads.includes('email'));
    await dropFromOverlay(admin, env, ['email']);
    await eventually('email is routed again', async () => overlay()?.running === 3 && routedNames()?.includes('email') === true && overlay()?.routedWorkloads.includes('email'));
  });

  it('a routed Service row knows the workloads behind it once a copy of that Service from the same baseline is watched', async () => {
    const workloadsOf = (service: string): readonly string[] | undefined => store.environment(env)?.overlay?.routedServices?.find((r) => r.name === service)?.workloads;
    assert.equal(workloadsOf('shipping'), undefined, 'no copy of shipping anywhere: unknown');
    const other = `treeother-${run}`;
    created.push(other);
    await createOverlay(admin, { name: other, baseline: base, owner, timezone: 'UTC', awakeHours: 'always' }, { only: ['shipping'], without: ['checkout', 'frontend', 'partner-api'] });
    await eventually('the copy of shipping in another overlay tells', async () => workloadsOf('shipping')?.join() === 'shipping');
  });

  it('Add to Environment on a routed Service adds the workloads behind it, even named otherwise; a Service with none gives one actionable error', async () => {
    // A Service of the baseline named unlike its workload, routed in the overlay (as refresh routes a new Service).
    await core.createNamespacedService({ namespace: base, body: { metadata: { name: 'mail' }, spec: { selector: { app: 'email' }, ports: [{ port: 5000 }] } } });
    await core.createNamespacedService({ namespace: base, body: { metadata: { name: 'nobody' }, spec: { selector: { app: 'nobody' }, ports: [{ port: 80 }] } } });
    const refreshed = await refreshEnvironment(admin, env);
    assert.ok(refreshed.applied >= 2, JSON.stringify(refreshed));
    await eventually('mail is a routed row', async () => store.environment(env)?.overlay?.routedServices?.some((r) => r.name === 'mail') === true);
    assert.deepEqual((await workloadsBehindServices(admin, env, ['mail'])).workloads, ['email']);
    await assert.rejects(addServicesToOverlay(admin, env, ['nobody']), (e: unknown) => e instanceof TEnvError && e.kind === 'invalid-input'
      && /The Service "nobody" of shop-\w+ selects no workload there/.test(e.message) && /t env add tree-\w+ <workload>/.test(e.hint ?? ''));
    const change = await addServicesToOverlay(admin, env, ['mail']);
    assert.deepEqual(change.workloads, ['email']);
    await eventually('email runs; its Services are copies now', async () => overlay()?.running === 4 && !overlay()?.routedServices?.some((r) => ['email', 'mail'].includes(r.name)));
    assert.equal((await core.readNamespacedService({ namespace: env, name: 'mail' })).spec?.type, 'ClusterIP');
    await dropFromOverlay(admin, env, ['email']);
    await core.deleteNamespacedService({ namespace: base, name: 'mail' });
    await core.deleteNamespacedService({ namespace: base, name: 'nobody' });
  });

  it('a user who may not list Services still gets the overlay, with a row per routed workload instead (the fallback)', async () => {
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    const user = `overlay-noservices-${run}`;
    const read = { verbs: ['get', 'list', 'watch'] };
    await rbac.createClusterRole({ body: { metadata: { name: user }, rules: [
      { apiGroups: [''], resources: ['namespaces', 'pods', 'events'], ...read }, { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], ...read }, { apiGroups: ['batch'], resources: ['cronjobs'], ...read },
    ] } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: user }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user },
      subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }] } });
    const logs: string[] = [];
    const scoped = new EnvironmentStore(loadKubeConfig({ kubeconfig: cluster.userKubeconfig(user) }), { onLog: (m) => logs.push(m) });
    try {
      await scoped.start();
      const view = scoped.environment(env)?.overlay;
      assert.equal(view?.running, 3);
      assert.equal(view?.routedServices, undefined);
      assert.deepEqual(view?.routedWorkloads, overlay()?.routedWorkloads);
      assert.ok(logs.some((m) => /may not list services in all namespaces/.test(m)), logs.join('\n'));
      assert.ok(logs.some((m) => new RegExp(`Skipping services of ${env}`).test(m)), logs.join('\n'));
    } finally {
      await scoped.dispose();
      await rbac.deleteClusterRoleBinding({ name: user });
      await rbac.deleteClusterRole({ name: user });
    }
  });

  it('a full copy of the same baseline is no overlay', async () => {
    const full = `treefull-${run}`;
    created.push(full);
    await core.createNamespace({ body: { metadata: { name: full, labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': owner }, annotations: { 't-env.dev/baseline': base } } } });
    await eventually('the store sees it', async () => store.environment(full) !== undefined);
    assert.equal(store.environment(full)?.baseline, base);
    assert.equal(store.environment(full)?.overlay, undefined);
  });
});
