import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InFlightLimit, MAX_RETRY_AFTER_MS, MIN_RETRY_AFTER_MS, retryAfterMs } from '../../src/core/request-shaping.ts';

const now = Date.parse('2026-01-12T09:00:00Z');

describe('retryAfterMs', () => {
  it('reads seconds, as the API server sends them', () => {
    assert.equal(retryAfterMs('1', now), 1000);
    assert.equal(retryAfterMs(' 3 ', now), 3000);
  });

  it('reads an HTTP date', () => {
    assert.equal(retryAfterMs('Mon, 12 Jan 2026 09:00:05 GMT', now), 5000);
  });

  it('means 1 s when missing or unreadable, and stays within bounds whatever a proxy says', () => {
    assert.equal(retryAfterMs(undefined, now), 1000);
    assert.equal(retryAfterMs('soon', now), 1000);
    assert.equal(retryAfterMs('-5', now), 1000);
    assert.equal(retryAfterMs('0', now), MIN_RETRY_AFTER_MS);
    assert.equal(retryAfterMs('Mon, 12 Jan 2026 08:00:00 GMT', now), MIN_RETRY_AFTER_MS, 'a date in the past');
    assert.equal(retryAfterMs('86400', now), MAX_RETRY_AFTER_MS);
    assert.equal(retryAfterMs('9'.repeat(5000), now), 1000, 'too long to be a number of seconds');
  });
});

describe('InFlightLimit', () => {
  it('starts at the caller\'s concurrency and lets requests go at once', () => {
    const shape = new InFlightLimit(64);
    assert.equal(shape.limit, 64);
    assert.equal(shape.waitMs(now), 0);
  });

  it('halves what was in flight on a push-back, once per push-back, and holds everyone until Retry-After', () => {
    const shape = new InFlightLimit(256);
    shape.throttled(now, 1000, 100);
    assert.equal(shape.limit, 50);
    assert.equal(shape.waitMs(now + 400), 600);
    // The other answers of the same burst arrive before the pause ends: one signal.
    for (let i = 0; i < 40; i++) shape.throttled(now + 10, 1000, 99);
    assert.equal(shape.limit, 50);
    assert.equal(shape.waitMs(now + 10), 1000, 'the latest Retry-After counts');
    // A new push-back after the pause halves again.
    shape.throttled(now + 2000, 1000, 50);
    assert.equal(shape.limit, 25);
    assert.equal(shape.waitMs(now + 3000), 0);
  });

  it('never goes below one request in flight', () => {
    const shape = new InFlightLimit(8);
    for (let i = 0; i < 20; i++) shape.throttled(now + i * 2000, 1000, 1);
    assert.equal(shape.limit, 1);
  });

  it('grows back by about one per round of successes, up to the caller\'s concurrency', () => {
    const shape = new InFlightLimit(32);
    shape.throttled(now, 1000, 32);
    assert.equal(shape.limit, 16);
    for (let i = 0; i < 15; i++) shape.succeeded();
    assert.equal(shape.limit, 16);
    for (let i = 0; i < 3; i++) shape.succeeded();
    assert.equal(shape.limit, 17, 'a round of about 16 successes adds one');
    for (let i = 0; i < 10_000; i++) shape.succeeded();
    assert.equal(shape.limit, 32);
  });
});
