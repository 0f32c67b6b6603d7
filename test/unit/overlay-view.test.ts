// What VS Code shows of an overlay: which workloads are routed, and the "3 of 12" description.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BaselineMark } from '../../src/core/baseline-view.ts';
import { overlayDescription, overlayView, routedTooltip } from '../../src/core/overlay-view.ts';

const behind: BaselineMark = { baseline: 'main', status: 'behind', images: [] };
const inSync: BaselineMark = { baseline: 'main', status: 'in-sync', images: [] };

describe('overlayView', () => {
  it('routes every workload of the baseline the overlay does not run, sorted', () => {
    const view = overlayView('main', ['frontend', 'cart', 'redis', 'ads'], ['frontend', 'cart']);
    assert.deepEqual(view, { baseline: 'main', running: 2, total: 4, routed: ['ads', 'redis'] });
  });

  it('counts workloads by name (kinds of one name travel together) and ignores workloads made only here', () => {
    const view = overlayView('main', ['db', 'db', 'api'], ['api', 'scratch']);
    assert.deepEqual(view, { baseline: 'main', running: 1, total: 2, routed: ['db'] });
  });

  it('routes nothing when the overlay runs everything, and everything when it runs nothing', () => {
    assert.deepEqual(overlayView('main', ['a', 'b'], ['b', 'a']).routed, []);
    assert.deepEqual(overlayView('main', ['b', 'a'], []).routed, ['a', 'b']);
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
