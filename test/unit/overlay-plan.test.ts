// Overlays: the call graph inferred from a baseline's objects, and the plan made from it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  hostsIn, inferCallGraph, overlayCopies, overlayDiffEntries, planJson, planOverlay, routedService, workloadsBehind, workloadsSelectedBy,
} from '../../src/core/overlay-plan.ts';
import type { CallGraph } from '../../src/core/overlay-plan.ts';
import { needsNoOrder, prepareCopy } from '../../src/core/baseline-copy.ts';
import type { KubeObject } from '../../src/core/baseline-copy.ts';
import { diffWithBaseline, droppedCopies, planRefresh } from '../../src/core/baseline-diff.ts';
import type { Listed } from '../../src/core/baseline-diff.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

interface PodOptions {
  labels?: Record<string, string>;
  env?: Record<string, unknown>[];
  envFrom?: Record<string, unknown>[];
  args?: string[];
  volumes?: Record<string, unknown>[];
  annotations?: Record<string, string>;
  serviceAccountName?: string;
}

function workload(kind: 'Deployment' | 'StatefulSet' | 'CronJob', name: string, o: PodOptions = {}): Listed {
  const template = {
    metadata: { labels: o.labels ?? { app: name } },
    spec: {
      serviceAccountName: o.serviceAccountName, volumes: o.volumes,
      containers: [{ name, image: `registry.example/${name}:1`, env: o.env, envFrom: o.envFrom, args: o.args }],
    },
  };
  const spec = kind === 'CronJob' ? { schedule: '0 * * * *', jobTemplate: { spec: { template } } } : { selector: { matchLabels: o.labels ?? { app: name } }, template };
  return { kind, obj: { metadata: { name, annotations: o.annotations }, spec } };
}
const deployment = (name: string, o: PodOptions = {}): Listed => workload('Deployment', name, o);
const env = (vars: Record<string, string>): Record<string, unknown>[] => Object.entries(vars).map(([name, value]) => ({ name, value }));

function service(name: string, selector: Record<string, string> | undefined = { app: name }, extra: Record<string, unknown> = {}): Listed {
  return { kind: 'Service', obj: { metadata: { name }, spec: { selector, ports: [{ port: 80 }], ...extra } } };
}
function configMap(name: string, data: Record<string, string>): Listed {
  return { kind: 'ConfigMap', obj: { metadata: { name }, data } };
}
function ingress(name: string, backends: string[]): Listed {
  return { kind: 'Ingress', obj: { metadata: { name }, spec: { rules: [{ http: { paths: backends.map((b) => ({ path: `/${b}`, backend: { service: { name: b, port: { number: 80 } } } })) } }] } } };
}

const services = new Set(['cart', 'db', 'api']);

describe('hosts named in text', () => {
  it('finds S, S:port, S.<baseline>, S.<baseline>.svc[.cluster.local] and hosts inside URLs', () => {
    assert.deepEqual(hostsIn('cart', 'main', services), ['cart']);
    assert.deepEqual(hostsIn('cart:7070', 'main', services), ['cart']);
    assert.deepEqual(hostsIn('cart.main', 'main', services), ['cart']);
    assert.deepEqual(hostsIn('cart.main.svc:80', 'main', services), ['cart']);
    assert.deepEqual(hostsIn('http://cart.main.svc.cluster.local:8080/x', 'main', services), ['cart']);
    assert.deepEqual(hostsIn('postgres://user:pw@db:5432/shop?x=1', 'main', services), ['db']);
    assert.deepEqual(hostsIn('--upstream=api:8080 --cache=cart', 'main', services).sort(), ['api', 'cart']);
    assert.deepEqual(hostsIn('{"url": "http://api/v1", "db": "db"}', 'main', services).sort(), ['api', 'db']);
    assert.deepEqual(hostsIn('queue:\n  host: cart\n  hosts:\n    - db\n', 'main', services).sort(), ['cart', 'db']);
    assert.deepEqual(hostsIn('connect to cart:7070 first', 'main', services), ['cart']);
  });
  it('never matches a part of a longer name, another namespace, a path segment or what follows a colon', () => {
    assert.deepEqual(hostsIn('cartservice', 'main', services), []);
    assert.deepEqual(hostsIn('my-cart', 'main', services), []);
    assert.deepEqual(hostsIn('cart_host', 'main', services), []);
    assert.deepEqual(hostsIn('CART', 'main', services), []);
    assert.deepEqual(hostsIn('cart.other.svc.cluster.local', 'main', services), []);
    assert.deepEqual(hostsIn('cart.example.com', 'main', services), []);
    assert.deepEqual(hostsIn('http://shop.example/cart/api', 'main', services), []);
    assert.deepEqual(hostsIn('/var/lib/db', 'main', services), []);
    assert.deepEqual(hostsIn('user:db@example.com', 'main', services), []);
    assert.deepEqual(hostsIn('cart and db demo', 'main', services), []);
    assert.deepEqual(hostsIn('--cache cart', 'main', services), []);
  });
  it('finds pods of a headless Service (db-0.db) only when it is headless', () => {
    assert.deepEqual(hostsIn('db-0.db.main.svc.cluster.local:5432', 'main', services, new Set(['db'])), ['db']);
    assert.deepEqual(hostsIn('db-0.db:5432', 'main', services, new Set(['db'])), ['db']);
    assert.deepEqual(hostsIn('db-0.db:5432', 'main', services), []);
  });
});

describe('the call graph', () => {
  it('infers calls from env values, args, and ConfigMaps read through envFrom, valueFrom and volumes', () => {
    const graph = inferCallGraph('main', [
      deployment('web', { env: env({ CART_ADDR: 'cart:7070' }), args: ['--api', 'http://api.main.svc.cluster.local'] }),
      deployment('cart', { envFrom: [{ configMapRef: { name: 'cart-config' } }] }),
      deployment('api', { env: [{ name: 'DB', valueFrom: { configMapKeyRef: { name: 'api-config', key: 'DB_HOST' } } }] }),
      deployment('worker', { volumes: [{ name: 'c', configMap: { name: 'worker-config' } }] }),
      deployment('db'),
      configMap('cart-config', { REDIS: 'redis:6379' }),
      configMap('api-config', { DB_HOST: 'db', OTHER: 'worker' }),
      configMap('worker-config', { 'app.yaml': 'queue:\n  host: api.main.svc\n' }),
      service('web'), service('cart'), service('api'), service('worker'), service('db'), service('redis', { app: 'redis' }),
      deployment('redis'),
    ]);
    const calls = Object.fromEntries([...graph.workloads.values()].map((w) => [w.name, w.calls]));
    assert.deepEqual(calls, { api: ['db'], cart: ['redis'], db: [], redis: [], web: ['api', 'cart'], worker: ['api'] });
    assert.deepEqual(graph.workloads.get('api')!.config, [{ kind: 'ConfigMap', name: 'api-config' }]);
  });
  it('adds t-env.dev/calls, finds entry points behind LoadBalancer, NodePort, Ingress and the annotation', () => {
    const graph = inferCallGraph('main', [
      deployment('web'), deployment('admin'), deployment('gql', { annotations: { 't-env.dev/calls': 'orders, ghost' } }), deployment('orders'), deployment('cli', { annotations: { 't-env.dev/entry': 'true' } }),
      service('web', { app: 'web' }, { type: 'LoadBalancer' }), service('admin', { app: 'admin' }, { type: 'NodePort' }), service('gql'), service('orders'),
      ingress('public', ['gql']),
    ]);
    assert.deepEqual(graph.workloads.get('gql')!.calls, ['orders']);
    assert.deepEqual(Object.fromEntries([...graph.workloads.values()].map((w) => [w.name, w.entry])), {
      admin: 'behind NodePort Service admin', cli: 'annotated t-env.dev/entry', gql: 'behind Ingress public', orders: undefined, web: 'behind LoadBalancer Service web',
    });
  });
  it('gives a Service to every workload it selects, and a call to each of them', () => {
    const graph = inferCallGraph('main', [
      deployment('front', { env: env({ BACKEND: 'backend:80' }) }),
      deployment('backend-blue', { labels: { app: 'backend', color: 'blue' } }),
      deployment('backend-green', { labels: { app: 'backend', color: 'green' } }),
      service('backend', { app: 'backend' }), service('front'),
    ]);
    assert.deepEqual(graph.services.get('backend'), ['backend-blue', 'backend-green']);
    assert.deepEqual(graph.workloads.get('front')!.calls, ['backend-blue', 'backend-green']);
    assert.deepEqual(graph.workloads.get('backend-blue')!.services, ['backend']);
  });
});

describe('the workloads behind a Service', () => {
  const listed = [
    deployment('mailer', { labels: { app: 'email', part: 'api' } }), deployment('mail-worker', { labels: { app: 'email', part: 'worker' } }),
    workload('CronJob', 'digest', { labels: { app: 'email', part: 'cron' } }), deployment('web'),
    service('smtp', { app: 'email' }), service('smtp-api', { app: 'email', part: 'api' }), service('legacy', undefined, { type: 'ExternalName', externalName: 'mail.example.com' }),
    service('web'), service('orphan', { app: 'gone' }),
  ];

  it('workloadsSelectedBy: every kind whose pod template the selector matches, by name, sorted; none without a selector', () => {
    const svc = (name: string): KubeObject => listed.find((l) => l.kind === 'Service' && l.obj.metadata?.name === name)!.obj;
    assert.deepEqual(workloadsSelectedBy(svc('smtp'), listed), ['digest', 'mail-worker', 'mailer']);
    assert.deepEqual(workloadsSelectedBy(svc('smtp-api'), listed), ['mailer']);
    assert.deepEqual(workloadsSelectedBy(svc('legacy'), listed), []);
    assert.deepEqual(workloadsSelectedBy({ metadata: { name: 'x' }, spec: { selector: {} } }, listed), []);
  });

  it('workloadsBehind: a routed Service named unlike its workloads resolves to them; several Services add up', () => {
    const graph = inferCallGraph('main', listed);
    assert.deepEqual(workloadsBehind(graph, ['smtp-api'], 'jane'), ['mailer']);
    assert.deepEqual(workloadsBehind(graph, ['smtp', 'web'], 'jane'), ['digest', 'mail-worker', 'mailer', 'web']);
  });

  it('workloadsBehind refuses a Service gone from the baseline, and one that selects no workload, saying what to do', () => {
    const graph = inferCallGraph('main', listed);
    assert.throws(() => workloadsBehind(graph, ['smtp', 'ghost'], 'jane'), (e: unknown) => e instanceof InvalidInputError
      && e.message === '"ghost" is no Service of the baseline main any more: there is nothing to run in jane for it.'
      && /t env refresh jane/.test(e.hint ?? ''));
    for (const name of ['legacy', 'orphan']) {
      assert.throws(() => workloadsBehind(graph, [name], 'jane'), (e: unknown) => e instanceof InvalidInputError
        && e.message.startsWith(`The Service "${name}" of main selects no workload there`)
        && e.hint === 'Add a workload by name instead: t env add jane <workload> (workloads of main: digest, mail-worker, mailer, web).');
    }
  });
});

/** web (LoadBalancer) → frontend → cart → redis; frontend → catalog ⇄ recommend (a cycle); reporter has no Service. */
function shop(): CallGraph {
  return inferCallGraph('main', [
    deployment('web', { env: env({ UPSTREAM: 'frontend:80' }) }),
    deployment('frontend', { envFrom: [{ configMapRef: { name: 'frontend-config' } }], serviceAccountName: 'frontend', volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'uploads' } }] }),
    deployment('cart', { env: [{ name: 'REDIS', value: 'redis:6379' }, { name: 'PW', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'pw' } } }] }),
    deployment('catalog', { env: env({ RECOMMEND: 'recommend:8080' }) }),
    deployment('recommend', { env: env({ CATALOG: 'http://catalog.main.svc.cluster.local' }) }),
    workload('StatefulSet', 'redis'),
    workload('CronJob', 'reporter', { env: env({ CART: 'cart:7070' }) }),
    configMap('frontend-config', { CART_URL: 'http://cart:7070', CATALOG_URL: 'http://catalog:8080' }),
    service('web', { app: 'web' }, { type: 'LoadBalancer' }), service('frontend'), service('cart'), service('catalog'), service('recommend'), service('redis'),
  ]);
}

describe('the overlay plan', () => {
  it('runs the chosen workload and its callers from the entry points, routes the rest, names shared callees', () => {
    const plan = planOverlay(shop(), { only: ['cart'] });
    assert.deepEqual(planJson(plan), {
      baseline: 'main',
      run: [{ name: 'cart', reasons: ['chosen'] }, { name: 'frontend', reasons: ['calls cart'] }, { name: 'web', reasons: ['calls frontend'] }],
      routed: ['catalog', 'recommend', 'redis'],
      shared: [{ from: 'cart', to: 'redis' }],
    });
    // The CronJob calls cart too, but no entry point reaches it: it stays in the baseline.
    assert.ok(!plan.run.some((r) => r.name === 'reporter'));
    assert.deepEqual(plan.copies.map((c) => `${c.kind}/${c.name}`), [
      'ConfigMap/frontend-config', 'Deployment/cart', 'Deployment/frontend', 'Deployment/web', 'PersistentVolumeClaim/uploads', 'Secret/redis-auth',
      'Service/cart', 'Service/frontend', 'Service/web', 'ServiceAccount/frontend',
    ]);
  });
  it('terminates on cycles and takes every caller on them', () => {
    const plan = planOverlay(shop(), { only: ['recommend'] });
    assert.deepEqual(plan.run.map((r) => [r.name, r.reasons]), [
      ['catalog', ['calls recommend']], ['frontend', ['calls catalog']], ['recommend', ['chosen']], ['web', ['calls frontend']],
    ]);
    assert.deepEqual(plan.shared, []);
  });
  it('runs a workload without a Service alone (nothing calls it), copying no Service', () => {
    const plan = planOverlay(shop(), { only: ['reporter'] });
    assert.deepEqual(plan.run, [{ name: 'reporter', reasons: ['chosen'] }]);
    assert.deepEqual(plan.copies, [{ kind: 'CronJob', name: 'reporter' }]);
    assert.equal(plan.routed.length, 6);
    assert.deepEqual(plan.shared, [{ from: 'reporter', to: 'cart' }]);
  });
  it('adds with --with, removes with --without (cutting the path through it), and says changed files', () => {
    const plan = planOverlay(shop(), { changed: new Map([['cart', ['cart/main.go', 'cart/go.mod']]]), with: ['redis'], without: ['web'] });
    assert.deepEqual(plan.run, [
      { name: 'cart', reasons: ['changed: cart/main.go, cart/go.mod'] }, { name: 'redis', reasons: ['added with --with'] },
    ]);
    assert.ok(plan.routed.includes('web') && plan.routed.includes('frontend'));
    assert.ok(plan.copies.some((c) => c.kind === 'StatefulSet' && c.name === 'redis'));
  });
  it('refuses unknown names with the baseline\'s workloads, and an empty choice', () => {
    assert.throws(() => planOverlay(shop(), { only: ['cart'], with: ['carts', 'nope'] }), (e: unknown) => e instanceof InvalidInputError
      && e.message === '--with: "carts", "nope" are not workloads of the baseline main.' && e.hint === 'Workloads of main: cart, catalog, frontend, recommend, redis, reporter, web.');
    assert.throws(() => planOverlay(shop(), { only: ['cart'], without: ['ghost'] }), /--without: "ghost" is not a workload/);
    assert.throws(() => planOverlay(shop(), { only: ['cart'], without: ['cart'] }), /Nothing to run/);
    assert.throws(() => planOverlay(shop(), {}), /Nothing to run/);
  });
});

describe('overlay objects', () => {
  it('a routed Service is an ExternalName to the baseline, marked as routed', () => {
    assert.deepEqual(routedService('cart', { baseline: 'main', environment: 'jane' }), {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'cart', namespace: 'jane', labels: { 't-env.dev/from-baseline': 'main' }, annotations: { 't-env.dev/routed-to': 'main' } },
      spec: { type: 'ExternalName', externalName: 'cart.main.svc.cluster.local' },
    });
  });
  it('routed Services need no order (no cluster IP, so no pod\'s service variables wait for them); copies keep theirs', () => {
    const target = { baseline: 'main', environment: 'jane', overlay: true };
    const routed = overlayCopies(planOverlay(shop(), { only: ['cart'] }), [], target);
    assert.ok(routed.length > 0 && routed.every(needsNoOrder));
    const clusterIp: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart' }, spec: { selector: { app: 'cart' }, ports: [{ port: 7070 }] } };
    assert.equal(needsNoOrder(prepareCopy('Service', clusterIp, target)), false);
    assert.equal(needsNoOrder(prepareCopy('Deployment', deployment('cart').obj, target)), false);
  });
  it('a workload copied into an overlay also searches the baseline\'s domain, once', () => {
    const obj: KubeObject = deployment('cart').obj;
    const podSpec = (copy: KubeObject): Record<string, unknown> => ((copy['spec'] as Record<string, unknown>)['template'] as Record<string, Record<string, unknown>>)['spec']!;
    const copy = prepareCopy('Deployment', obj, { baseline: 'main', environment: 'jane', overlay: true });
    assert.deepEqual(podSpec(copy.object)['dnsConfig'], { searches: ['main.svc.cluster.local'] });
    const again = prepareCopy('Deployment', copy.object, { baseline: 'main', environment: 'jane', overlay: true });
    assert.deepEqual(podSpec(again.object)['dnsConfig'], { searches: ['main.svc.cluster.local'] });
    assert.equal(podSpec(prepareCopy('Deployment', obj, { baseline: 'main', environment: 'jane' }).object)['dnsConfig'], undefined);
  });
});

describe('diff and refresh of an overlay', () => {
  const target = { baseline: 'main', environment: 'jane', overlay: true };
  const baseline = (): Listed[] => [
    deployment('web', { env: env({ CART: 'cart:7070' }) }), deployment('cart', { envFrom: [{ configMapRef: { name: 'cart-config' } }] }), deployment('catalog', { envFrom: [{ configMapRef: { name: 'catalog-config' } }] }),
    configMap('cart-config', { A: '1' }), configMap('catalog-config', { B: '2' }),
    service('web', { app: 'web' }, { type: 'LoadBalancer' }), service('cart'), service('catalog'),
  ];
  function overlayOf(listed: Listed[]): Listed[] {
    const plan = planOverlay(inferCallGraph('main', listed), { only: ['cart'] });
    return overlayCopies(plan, listed, target).map((c) => ({ kind: c.kind, obj: c.object }));
  }
  it('a routed Service is in-sync while the baseline has it; what the overlay does not run is left out', () => {
    const here = overlayOf(baseline());
    const entries = diffWithBaseline('main', baseline(), here);
    assert.deepEqual(entries.filter((e) => e.name === 'catalog' && e.kind === 'Service').map((e) => [e.status, e.copied]), [['in-sync', true]]);
    const scoped = overlayDiffEntries('main', entries);
    assert.deepEqual(scoped.entries.map((e) => `${e.kind}/${e.name}:${e.status}`).sort(), [
      'ConfigMap/cart-config:in-sync', 'Deployment/cart:in-sync', 'Deployment/web:in-sync', 'Service/cart:in-sync', 'Service/catalog:in-sync', 'Service/web:in-sync',
    ]);
    assert.deepEqual(planRefresh(scoped.entries).apply, []);
  });
  it('refresh adds new config of a running workload and routes new Services; never adds a routed workload', () => {
    const here = overlayOf(baseline());
    const moved = baseline();
    moved.push(deployment('search'), service('search'), configMap('cart-extra', { C: '3' }));
    const cart = moved.find((l) => l.obj.metadata?.name === 'cart' && l.kind === 'Deployment')!;
    const spec = (cart.obj['spec'] as { template: { spec: { containers: { envFrom: unknown[] }[] } } }).template.spec;
    spec.containers[0]!.envFrom.push({ configMapRef: { name: 'cart-extra' } });
    const scoped = overlayDiffEntries('main', diffWithBaseline('main', moved, here));
    assert.deepEqual(planRefresh(scoped.entries).apply.map((e) => `${e.kind}/${e.name}:${e.status}`).sort(), [
      'ConfigMap/cart-extra:only-in-baseline', 'Deployment/cart:behind', 'Service/search:only-in-baseline',
    ]);
    assert.deepEqual(scoped.routeNew, ['search']);
    // A Service the baseline dropped: its routed alias is a copy the baseline no longer has.
    const gone = diffWithBaseline('main', moved.filter((l) => !(l.kind === 'Service' && l.obj.metadata?.name === 'catalog')), here);
    assert.deepEqual(droppedCopies(gone).map((e) => `${e.kind}/${e.name}`), ['Service/catalog']);
  });
});

describe('StatefulSet claims', () => {
  it('the claims made from a StatefulSet\'s templates go with it, never a look-alike', () => {
    const sts = workload('StatefulSet', 'db');
    (sts.obj['spec'] as Record<string, unknown>)['volumeClaimTemplates'] = [{ metadata: { name: 'data' } }];
    const claim = (name: string): Listed => ({ kind: 'PersistentVolumeClaim', obj: { metadata: { name } } });
    const graph = inferCallGraph('main', [sts, claim('data-db-0'), claim('data-db-1'), claim('data-db-old'), claim('data-dbx-0')]);
    assert.deepEqual(graph.workloads.get('db')!.config, [{ kind: 'PersistentVolumeClaim', name: 'data-db-0' }, { kind: 'PersistentVolumeClaim', name: 'data-db-1' }]);
  });
});
