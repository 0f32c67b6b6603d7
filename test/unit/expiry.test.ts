// Environments with a TTL: the expires-at instant, the warning window, what is never deleted, and
// how the tree and `t env ls` describe it. Also the duration and image-reference parsers they use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationMs } from '../../src/core/duration.ts';
import { describeExpiry, expiresAtAfter, expiryOf, expiryRefusal } from '../../src/core/expiry.ts';
import { checkImageReference } from '../../src/core/image-reference.ts';
import { environmentJson } from '../../src/core/environment-view.ts';
import { environmentInfo } from '../../src/core/environment.ts';

const now = new Date('2026-12-02T10:00:00Z');
const at = (iso: string): Record<string, string> => ({ 't-env.dev/expires-at': iso });

describe('TTL (t-env.dev/expires-at)', () => {
  it('a TTL becomes an instant from now; out-of-range TTLs are refused with a hint', () => {
    assert.equal(expiresAtAfter(now, 4 * 3_600_000), '2026-12-02T14:00:00.000Z');
    assert.throws(() => expiresAtAfter(now, 60_000), /out of range/);
    assert.throws(() => expiresAtAfter(now, 91 * 86_400_000), (e: Error & { hint?: string }) => /5m and 90d/.test(e.hint ?? ''));
    assert.throws(() => expiresAtAfter(now, Number.NaN), /out of range/);
  });

  it('is live, then in the 15-minute warning window, then expired; no annotation: none; garbage: invalid', () => {
    assert.deepEqual(expiryOf(undefined, now), { state: 'none' });
    assert.equal(expiryOf(at('2026-12-02T10:16:00Z'), now).state, 'live');
    assert.equal(expiryOf(at('2026-12-02T10:15:00Z'), now).state, 'warn');
    assert.equal(expiryOf(at('2026-12-02T10:00:01Z'), now).state, 'warn');
    assert.equal(expiryOf(at('2026-12-02T10:00:00Z'), now).state, 'expired');
    assert.equal(expiryOf(at('2026-12-02T11:00:00+02:00'), now).state, 'expired');
    for (const bad of ['tomorrow', '2026', 'Dec 3 2026', '']) {
      const e = expiryOf(at(bad), now);
      assert.equal(e.state, 'invalid', bad);
    }
  });

  it('never deletes system namespaces, the sleeper\'s own namespace or baselines', () => {
    assert.match(expiryRefusal({ name: 'kube-system' }, undefined) ?? '', /system namespace/);
    assert.match(expiryRefusal({ name: 'default' }, undefined) ?? '', /system namespace/);
    assert.match(expiryRefusal({ name: 't-env-system' }, 't-env-system') ?? '', /own namespace/);
    assert.match(expiryRefusal({ name: 'shop', labels: { 't-env.dev/baseline': 'true' } }, undefined) ?? '', /baseline/);
    assert.equal(expiryRefusal({ name: 'fay-dev', labels: { 't-env.dev/baseline': 'false' } }, 't-env-system'), undefined);
  });

  it('is described as "expires in 3 h" and appears in the JSON as expiresAt', () => {
    assert.equal(describeExpiry('2026-12-02T13:00:00Z', now), 'expires in 3 h');
    assert.equal(describeExpiry('2026-12-02T10:20:00Z', now), 'expires in 20 min');
    assert.equal(describeExpiry('2026-12-02T09:00:00Z', now), 'expired');
    assert.equal(describeExpiry(undefined, now), undefined);
    const info = environmentInfo({ metadata: { name: 'fay-dev', labels: { 't-env.dev/owner': 'fay' }, annotations: at('2026-12-02T13:00:00.000Z') } }, []);
    assert.equal(environmentJson(info, now).expiresAt, '2026-12-02T13:00:00.000Z');
    assert.equal(environmentJson(environmentInfo({ metadata: { name: 'x' } }, []), now).expiresAt, null);
  });
});

describe('durations', () => {
  it('parses 90s, 15m, 4h, 1h30m, 2d, 250ms; refuses the rest', () => {
    assert.equal(parseDurationMs('90s'), 90_000);
    assert.equal(parseDurationMs('1h30m'), 5_400_000);
    assert.equal(parseDurationMs('2d'), 172_800_000);
    assert.equal(parseDurationMs('250ms'), 250);
    for (const bad of ['', '4', 'soon', '4h ', '0m', '-1h', 'h']) assert.equal(parseDurationMs(bad), undefined, bad);
  });
});

describe('image references', () => {
  it('accepts registry, port, path, tag and digest; refuses spaces, uppercase paths and shell text', () => {
    for (const good of ['api', 'api:1.2.3', 'registry.example/team/api:1.2.3', 'localhost:5000/api:dev', `api@sha256:${'a'.repeat(64)}`, 'ghcr.io/a_b/c-d:v1_x']) {
      assert.equal(checkImageReference(good), undefined, good);
    }
    for (const bad of ['', 'API:1', 'api:1 ; rm -rf /', 'api:', '/api', 'api@sha256:123', `a:${'x'.repeat(600)}`, 'api\u001b[31m']) {
      assert.ok(checkImageReference(bad), JSON.stringify(bad));
    }
    assert.ok(!(checkImageReference('api\u001b[31m') ?? '').includes('\u001b'));
  });
});
