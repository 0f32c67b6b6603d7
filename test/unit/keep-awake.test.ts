// "Keep awake for…": fixed durations and "until tomorrow" through the next scheduled wake.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keepAwakeUntil } from '../../src/core/keep-awake.ts';

describe('keep awake', () => {
  const now = new Date('2026-11-26T15:00:00Z'); // Thursday 16:00 in Berlin
  it('adds 1 h or 4 h', () => {
    assert.equal(keepAwakeUntil('1h', now, 'Mon-Fri 08:00-20:00', 'Europe/Berlin').toISOString(), '2026-11-26T16:00:00.000Z');
    assert.equal(keepAwakeUntil('4h', now, undefined, undefined).toISOString(), '2026-11-26T19:00:00.000Z');
  });
  it('keeps it awake until the next scheduled wake, in the owner\'s zone', () => {
    assert.equal(keepAwakeUntil('tomorrow', now, 'Mon-Fri 08:00-20:00', 'Europe/Berlin').toISOString(), '2026-11-27T07:00:00.000Z');
    // Asleep now (Friday 23:00 in Berlin): until Monday 08:00.
    assert.equal(keepAwakeUntil('tomorrow', new Date('2026-11-27T22:00:00Z'), 'Mon-Fri 08:00-20:00', 'Europe/Berlin').toISOString(), '2026-11-30T07:00:00.000Z');
  });
  it('falls back to 24 h without a schedule or for always', () => {
    assert.equal(keepAwakeUntil('tomorrow', now, 'always', 'UTC').toISOString(), '2026-11-27T15:00:00.000Z');
    assert.equal(keepAwakeUntil('tomorrow', now, undefined, 'UTC').toISOString(), '2026-11-27T15:00:00.000Z');
  });
});
