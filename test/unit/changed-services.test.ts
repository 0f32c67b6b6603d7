// What a change touches: base refs, okteto build contexts and sync folders, files mapped to services.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baseRefCandidates, buildContexts, mapChangedFiles, serviceRoots } from '../../src/core/changed-services.ts';
import { parseOktetoManifest } from '../../src/core/okteto-manifest.ts';

const manifest = `build:
  frontend:
    context: frontend
    dockerfile: frontend/Dockerfile
  cart: services/cart
  docs: {}
dev:
  checkout:
    sync:
      - services/checkout:/app
      - libs/payments:/app/vendor/payments
  web:
    name: frontend
    sync:
      - ./frontend/static:/srv
`;

describe('changed services', () => {
  it('tries --base, else the baseline\'s git ref, then origin/main, then main', () => {
    assert.deepEqual(baseRefCandidates('feature', 'origin/release'), ['feature']);
    assert.deepEqual(baseRefCandidates(undefined, 'origin/release'), ['origin/release', 'origin/main', 'main']);
    assert.deepEqual(baseRefCandidates(undefined, 'main'), ['main', 'origin/main']);
    assert.deepEqual(baseRefCandidates(undefined, undefined), ['origin/main', 'main']);
  });
  it('reads build contexts (long and short form) and sync folders, relative to the manifest\'s folder', () => {
    assert.deepEqual([...buildContexts(manifest)], [['frontend', 'frontend'], ['cart', 'services/cart']]);
    assert.deepEqual(serviceRoots(parseOktetoManifest(manifest), buildContexts(manifest), 'shop'), [
      { name: 'cart', roots: ['shop/services/cart'] },
      { name: 'checkout', roots: ['shop/libs/payments', 'shop/services/checkout'] },
      { name: 'frontend', roots: ['shop/frontend', 'shop/frontend/static'] },
    ]);
    assert.throws(() => serviceRoots(parseOktetoManifest('dev:\n  x:\n    sync: ["../../etc:/app"]\n'), new Map(), 'shop'), /outside the git repository/);
  });
  it('maps files to every service whose folder holds them, never by prefix of a name; the rest is unmapped', () => {
    const roots = serviceRoots(parseOktetoManifest(manifest), buildContexts(manifest), '');
    assert.deepEqual(mapChangedFiles('main', ['frontend/app.ts', 'frontend/static/logo.svg', 'frontend-old/x', 'libs/payments/pay.go', 'README.md', 'services/cartography/x'], roots), {
      base: 'main',
      services: [
        { name: 'checkout', files: ['libs/payments/pay.go'] },
        { name: 'frontend', files: ['frontend/app.ts', 'frontend/static/logo.svg'] },
      ],
      unmapped: ['README.md', 'frontend-old/x', 'services/cartography/x'],
    });
  });
});
