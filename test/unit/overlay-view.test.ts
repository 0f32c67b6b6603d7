// What VS Code shows of an overlay: which workloads and Services are routed, and the "3 of 12" description.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BaselineMark } from '../../src/core/baseline-view.ts';
import type { Listed } from '../../src/core/baseline-diff.ts';
import { inferCallGraph, planOverlay } from '../../src/core/overlay-plan.ts';
import type { CallGraph } from '../../src/core/overlay-plan.ts';
import type { KubeObject } from '../../src/core/baseline-copy.ts';
import { overlayDescription, overlayView, pickedRequest, planPickItems, routedServices, routedServiceTooltip, routedTooltip } from '../../src/core/overlay-view.ts';

const behind: BaselineMark = { baseline: 'main', status: 'behind', images: [] };
const inSync: BaselineMark = { baseline: 'main', status: 'in-sync', images: [] };

describe('overlayView', () => {
  it('routes every workload of the baseline the overlay does not run, sorted', () => {
    const view = overlayView('main', ['frontend', 'cart', 'redis', 'ads'], ['frontend', 'cart']);
    assert.deepEqual(view, { baseline: 'main', running: 2, total: 4, routedWorkloads: ['ads', 'redis'], routedServices: undefined });
  });

  it('counts workloads by name (kinds of one name travel together) and ignores workloads made only here', () => {
    const view = overlayView('main', ['db', 'db', 'api'], ['api', 'scratch']);
    assert.deepEqual(view, { baseline: 'main', running: 1, total: 2, routedWorkloads: ['db'], routedServices: undefined });
  });

  it('routes nothing when the overlay runs everything, and everything when it runs nothing', () => {
    assert.deepEqual(overlayView('main', ['a', 'b'], ['b', 'a']).routedWorkloads, []);
    assert.deepEqual(overlayView('main', ['b', 'a'], []).routedWorkloads, ['a', 'b']);
  });
});

// Services as the store holds them: routed ones in the overlay, copies (with selectors) anywhere.
const routedSvc = (name: string, baseline = 'main'): KubeObject => ({
  metadata: { name, namespace: 'jane', labels: { 't-env.dev/from-baseline': baseline }, annotations: { 't-env.dev/routed-to': baseline } },
  spec: { type: 'ExternalName', externalName: `${name}.${baseline}.svc.cluster.local` },
});
const copiedSvc = (name: string, namespace: string, selector: Record<string, string> | undefined, baseline = 'main'): KubeObject => ({
  metadata: { name, namespace, labels: { 't-env.dev/from-baseline': baseline } }, spec: selector ? { selector } : {},
});
const workload = (name: string, labels: Record<string, string>, kind: 'Deployment' | 'StatefulSet' = 'Deployment'): Listed => ({
  kind, obj: { metadata: { name }, spec: { template: { metadata: { labels } } } },
});
const baselineWorkloads = [workload('email-server', { app: 'email', tier: 'mail' }), workload('mail-worker', { app: 'email', role: 'worker' }), workload('db', { app: 'db' }, 'StatefulSet')];

describe('routedServices', () => {
  it('one entry per routed Service of the overlay, sorted, whatever the workloads are named; other Services are no rows', () => {
    const here = [routedSvc('smtp'), copiedSvc('cart', 'jane', { app: 'cart' }), routedSvc('db'), { metadata: { name: 'own' }, spec: { selector: { app: 'own' } } }];
    assert.deepEqual(routedServices(here, baselineWorkloads, []), [
      { name: 'db', baseline: 'main', workloads: undefined },
      { name: 'smtp', baseline: 'main', workloads: undefined },
    ]);
  });

  it('knows the workloads behind a routed Service from a copy of it made from the same baseline elsewhere', () => {
    const copies = [
      copiedSvc('smtp', 'bob', { app: 'email' }), // both of main's email pods
      copiedSvc('db', 'bob', { app: 'db' }, 'other'), // another baseline's db says nothing about main's
      routedSvc('db'), // a routed Service has no selector to learn from
    ];
    assert.deepEqual(routedServices([routedSvc('smtp'), routedSvc('db')], baselineWorkloads, copies), [
      { name: 'db', baseline: 'main', workloads: undefined },
      { name: 'smtp', baseline: 'main', workloads: ['email-server', 'mail-worker'] },
    ]);
  });

  it('a copy whose selector matches nothing (or that has none) says so: an empty list, not unknown; disagreeing copies add up', () => {
    assert.deepEqual(routedServices([routedSvc('smtp')], baselineWorkloads, [copiedSvc('smtp', 'bob', { app: 'gone' })])[0]?.workloads, []);
    assert.deepEqual(routedServices([routedSvc('smtp')], baselineWorkloads, [copiedSvc('smtp', 'bob', undefined)])[0]?.workloads, []);
    const copies = [copiedSvc('smtp', 'bob', { app: 'email', tier: 'mail' }), copiedSvc('smtp', 'carol', { role: 'worker' })];
    assert.deepEqual(routedServices([routedSvc('smtp')], baselineWorkloads, copies)[0]?.workloads, ['email-server', 'mail-worker']);
  });

  it('takes the baseline from each Service\'s own annotation', () => {
    assert.deepEqual(routedServices([routedSvc('smtp', 'release')], baselineWorkloads, [copiedSvc('smtp', 'bob', { app: 'email' })]),
      [{ name: 'smtp', baseline: 'release', workloads: undefined }]);
  });
});

describe('routedServiceTooltip', () => {
  it('names the workloads behind the Service when known, and says plainly when not', () => {
    const known = routedServiceTooltip('jane', { name: 'smtp', baseline: 'main', workloads: ['email-server', 'mail-worker'] });
    assert.match(known, /^Service smtp of jane routes to the baseline main: .* calls to smtp reach smtp\.main\./);
    assert.match(known, /Served in main by email-server, mail-worker .*\nAdd to Environment runs them here\./);
    const unknown = routedServiceTooltip('jane', { name: 'smtp', baseline: 'main', workloads: undefined });
    assert.match(unknown, /Which workload of main serves it is not known here \(T-Env does not watch the Services of main\); Add to Environment looks it up there\./);
    assert.match(routedServiceTooltip('jane', { name: 'smtp', baseline: 'main', workloads: [] }), /No workload of main matches its selector/);
  });

  it('sanitizes and cuts names (they come from the cluster)', () => {
    const text = routedServiceTooltip('jane', { name: 'smtp\u001b[31m', baseline: 'x'.repeat(200), workloads: ['w\u0007'] });
    assert.ok(!text.includes('\u001b') && !text.includes('\u0007'), text);
    assert.ok(!text.includes('x'.repeat(100)), text);
  });
});

describe('overlayDescription', () => {
  it('names the baseline and how much of it runs here', () => {
    assert.equal(overlayDescription(overlayView('main', ['a', 'b', 'c'], ['a']), []), 'overlay of main · 1 of 3 workloads');
    assert.equal(overlayDescription(overlayView('main', ['a'], ['a']), [inSync]), 'overlay of main · 1 of 1 workload');
  });

  it('adds how many workloads are behind the baseline', () => {
    assert.equal(overlayDescription(overlayView('main', ['a', 'b'], ['a', 'b']), [behind, inSync, undefined, behind]), 'overlay of main · 2 of 2 workloads · 2 behind');
  });

  it('sanitizes and cuts the baseline name (it comes from the cluster)', () => {
    const text = overlayDescription(overlayView(`evil\u001b[31m${'x'.repeat(80)}`, [], []), []);
    assert.ok(!text.includes('\u001b'), text);
    assert.ok(text.length < 80, text);
  });
});

describe('routedTooltip', () => {
  it('says where calls go and what Add to Environment does, with sanitized names', () => {
    const text = routedTooltip('jane', 'cart\u0007', 'main');
    assert.match(text, /^cart\\x07 does not run in jane: calls to its Services reach the baseline main/);
    assert.match(text, /Add to Environment/);
    assert.ok(!text.includes('\u0007'), text);
  });
});

// A small shop: frontend (behind a LoadBalancer) calls cart, cart calls redis; ads stands alone.
function shop(): CallGraph {
  const deployment = (name: string, vars: Record<string, string> = {}): Listed => ({ kind: 'Deployment', obj: {
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1`, env: Object.entries(vars).map(([n, value]) => ({ name: n, value })) }] } } },
  } });
  const service = (name: string, type = 'ClusterIP'): Listed => ({ kind: 'Service', obj: { metadata: { name }, spec: { type, selector: { app: name }, ports: [{ port: 80 }] } } });
  return inferCallGraph('main', [
    deployment('frontend', { CART_ADDR: 'cart:7070' }), deployment('cart', { REDIS_ADDR: 'redis:6379' }), deployment('redis'), deployment('ads'),
    service('frontend', 'LoadBalancer'), service('cart'), service('redis'), service('ads'),
  ]);
}
const changed = new Map([['cart', ['cart/main.go']]]);

describe('planPickItems', () => {
  it('checks what the plan runs (with why), then lists the other workloads unchecked, those a chosen one calls first', () => {
    const plan = planOverlay(shop(), { changed });
    assert.deepEqual(planPickItems(plan, ['ads', 'cart', 'frontend', 'redis']), [
      { name: 'cart', detail: 'changed: cart/main.go', picked: true },
      { name: 'frontend', detail: 'calls cart', picked: true },
      { name: 'redis', detail: '→ main · called by cart', picked: false },
      { name: 'ads', detail: '→ main', picked: false },
    ]);
  });
});

describe('pickedRequest', () => {
  it('keeps checked changes, adds checked others with "with" and routes unchecked planned ones with "without"', () => {
    const graph = shop();
    const plan = planOverlay(graph, { changed });
    const request = pickedRequest(plan, changed, ['cart', 'redis']);
    assert.deepEqual(request, { changed, with: ['redis'], without: ['frontend'] });
    assert.deepEqual(planOverlay(graph, request).run.map((r) => r.name), ['cart', 'redis']);
  });

  it('leaves a request as planned when every row stays as it was', () => {
    const graph = shop();
    const plan = planOverlay(graph, { changed });
    const request = pickedRequest(plan, changed, ['cart', 'frontend'])!;
    assert.deepEqual(planOverlay(graph, request).run, plan.run);
  });

  it('drops an unchecked change, and asks for nothing when no row is checked', () => {
    const plan = planOverlay(shop(), { changed });
    assert.deepEqual(pickedRequest(plan, changed, ['ads']), { changed: new Map(), with: ['ads'], without: ['cart', 'frontend'] });
    assert.equal(pickedRequest(plan, changed, []), undefined);
  });
});
