// When a baseline sleeps (core/baseline-sleep.ts): `auto` follows the overlays made from it, any
// other awake hours are its own schedule. Instants in UTC; 2026-01-12 is a Monday.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baselineDecision, baselineReachedBy, baselineSleepText, baselineToWake, isSleeperManaged, sleepDecisions } from '../../src/core/baseline-sleep.ts';
import { evaluate } from '../../src/core/environment-verdict.ts';
import { environmentInfo } from '../../src/core/environment.ts';
import type { NamespaceLike } from '../../src/core/environment.ts';
import { scheduleView } from '../../src/core/environment-view.ts';

const monday = new Date('2026-01-12T10:00:00Z');
const sunday = new Date('2026-01-11T10:00:00Z');
const office = { 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'Mon-Fri 08:00-20:00' };

function baseline(name: string, annotations: Record<string, string>): NamespaceLike {
  return { metadata: { name, labels: { 't-env.dev/baseline': 'true' }, annotations } };
}

function environment(name: string, annotations: Record<string, string>): NamespaceLike {
  return { metadata: { name, labels: { 't-env.dev/environment': 'true' }, annotations } };
}

/** An overlay of `from` with the given schedule and markers. */
function overlay(name: string, from: string, annotations: Record<string, string> = office): NamespaceLike {
  return environment(name, { ...annotations, 't-env.dev/baseline': from, 't-env.dev/overlay': 'true' });
}

/** A full copy of `from`: it runs every workload itself. */
function fullCopy(name: string, from: string, annotations: Record<string, string> = office): NamespaceLike {
  return environment(name, { ...annotations, 't-env.dev/baseline': from });
}

const auto = baseline('main', { 't-env.dev/awake-hours': 'auto' });

describe('baseline sleep: auto', () => {
  it('is asleep without any environment made from it', () => {
    const decide = sleepDecisions([], monday);
    assert.deepEqual(decide(auto), { verdict: { state: 'asleep', reason: 'schedule', problems: [], expired: [], next: undefined }, cause: 'schedule', follows: true });
  });

  it('is awake while one overlay is awake, and asleep once all are', () => {
    const namespaces = [overlay('alice', 'main'), overlay('bob', 'main', { 't-env.dev/timezone': 'Asia/Tokyo', 't-env.dev/awake-hours': 'Mon-Fri 08:00-20:00' })];
    // 10:00Z Monday: Alice (UTC) works, Bob (Tokyo, 19:00) works.
    assert.equal(sleepDecisions(namespaces, monday)(auto).verdict.state, 'awake');
    // 12:00Z: Bob's 21:00 is past his hours, Alice still works.
    assert.equal(sleepDecisions(namespaces, new Date('2026-01-12T12:00:00Z'))(auto).verdict.state, 'awake');
    // 21:00Z: both asleep (Alice since 20:00, Bob until 23:00Z).
    assert.equal(sleepDecisions(namespaces, new Date('2026-01-12T21:00:00Z'))(auto).verdict.state, 'asleep');
    assert.equal(sleepDecisions(namespaces, sunday)(auto).verdict.state, 'asleep');
  });

  it('a manual sleep of the only overlay puts it to sleep; a manual wake on a Sunday wakes it, as manual', () => {
    const slept = overlay('alice', 'main', { ...office, 't-env.dev/asleep-until': '2026-01-13T08:00:00.000Z' });
    assert.equal(sleepDecisions([slept], monday)(auto).verdict.state, 'asleep');
    const woken = overlay('alice', 'main', { ...office, 't-env.dev/awake-until': '2026-01-11T12:00:00.000Z' });
    assert.deepEqual(sleepDecisions([woken], sunday)(auto), { verdict: { state: 'awake', reason: 'schedule', problems: [], expired: [], next: undefined }, cause: 'manual', follows: true });
    // One overlay awake by its schedule makes the cause the schedule's.
    assert.equal(sleepDecisions([woken, overlay('bob', 'main', { 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'always' })], sunday)(auto).cause, 'schedule');
  });

  it('any environment made from it keeps it awake: a full copy as well as an overlay', () => {
    assert.equal(sleepDecisions([fullCopy('carol', 'main')], monday)(auto).verdict.state, 'awake');
    assert.equal(sleepDecisions([fullCopy('carol', 'main')], sunday)(auto).verdict.state, 'asleep');
    assert.equal(sleepDecisions([fullCopy('carol', 'main', { 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'always' }), overlay('alice', 'main')], sunday)(auto).verdict.state, 'awake');
    assert.equal(baselineReachedBy(fullCopy('carol', 'main').metadata?.annotations), 'main');
    assert.equal(baselineReachedBy(overlay('alice', 'main').metadata?.annotations), 'main');
    assert.equal(baselineReachedBy({ 't-env.dev/owner': 'carol' }), undefined, 'an empty environment reaches no baseline');
  });

  it('a baseline annotation that is no namespace name reaches no baseline (hostile or corrupt overlay)', () => {
    for (const bad of ['main,metadata.name!=x', 'Main', 'x'.repeat(64), 'main\u001b[31m']) {
      assert.equal(baselineReachedBy(overlay('alice', bad).metadata?.annotations), undefined, bad);
    }
  });

  it('only overlays of this baseline count, and not one being deleted', () => {
    assert.equal(sleepDecisions([overlay('alice', 'other')], monday)(auto).verdict.state, 'asleep');
    const deleting = overlay('alice', 'main');
    deleting.metadata!.deletionTimestamp = '2026-01-12T09:00:00Z';
    assert.equal(sleepDecisions([deleting], monday)(auto).verdict.state, 'asleep');
  });

  it('an overlay the sleeper leaves alone (no schedule, or corrupt) counts as awake', () => {
    assert.equal(sleepDecisions([overlay('alice', 'main', {})], sunday)(auto).verdict.state, 'awake');
    assert.equal(sleepDecisions([overlay('alice', 'main', { 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'Mon-Fry 08:00-20:00' })], sunday)(auto).verdict.state, 'awake');
  });

  it('its own markers win, as on an environment, and expired ones are reported for removal', () => {
    const kept = baseline('main', { 't-env.dev/awake-hours': 'auto', 't-env.dev/awake-until': '2026-01-11T12:00:00.000Z' });
    assert.deepEqual(baselineDecision(kept.metadata?.annotations, [], sunday).verdict.state, 'awake');
    assert.equal(baselineDecision(kept.metadata?.annotations, [], sunday).cause, 'manual');
    const expired = baselineDecision(kept.metadata?.annotations, [], new Date('2026-01-11T13:00:00Z'));
    assert.deepEqual([expired.verdict.state, expired.verdict.expired], ['asleep', ['t-env.dev/awake-until']]);
    const slept = { 't-env.dev/awake-hours': 'auto', 't-env.dev/asleep-until': '9999-12-31T23:59:59.999Z' };
    assert.equal(baselineDecision(slept, [{ name: 'alice', state: 'awake', reason: 'schedule' }], monday).verdict.state, 'asleep');
  });

  it('is spelt like always: any case, spaces around; a zone is optional but must be real', () => {
    for (const hours of ['auto', 'AUTO', ' Auto ']) {
      assert.equal(baselineDecision({ 't-env.dev/awake-hours': hours }, [], monday).verdict.state, 'asleep', hours);
    }
    assert.equal(baselineDecision({ 't-env.dev/awake-hours': 'auto', 't-env.dev/timezone': 'Europe/Berlin' }, [], monday).verdict.state, 'asleep');
    const badZone = baselineDecision({ 't-env.dev/awake-hours': 'auto', 't-env.dev/timezone': 'Mars/Olympus' }, [{ name: 'alice', state: 'awake', reason: 'schedule' }], monday);
    assert.equal(badZone.verdict.state, undefined);
    assert.match(badZone.verdict.problems.join(), /Mars\/Olympus/);
  });

  it('corrupt values are problems, never guessed', () => {
    const junk = [
      [{ 't-env.dev/awake-hours': 'auto; Mon-Fri 08:00-20:00', 't-env.dev/timezone': 'UTC' }, /Invalid awake hours/],
      [{ 't-env.dev/awake-hours': 'automatic', 't-env.dev/timezone': 'UTC' }, /Invalid awake hours/],
      [{ 't-env.dev/awake-hours': 'auto', 't-env.dev/awake-until': 'tomorrow' }, /awake-until is "tomorrow"/],
      [{ 't-env.dev/awake-hours': 'auto', 't-env.dev/asleep-until': '2026-01-12 18:00' }, /asleep-until/],
    ] as const;
    for (const [annotations, problem] of junk) {
      const { verdict } = baselineDecision(annotations, [{ name: 'alice', state: 'awake', reason: 'schedule' }], monday);
      assert.equal(verdict.state, undefined, JSON.stringify(annotations));
      assert.equal(verdict.reason, 'problem');
      assert.match(verdict.problems.join(), problem);
    }
  });

  it('on an environment, auto is a problem: only a baseline has environments to follow', () => {
    const verdict = evaluate({ 't-env.dev/awake-hours': 'auto', 't-env.dev/timezone': 'UTC' }, monday);
    assert.equal(verdict.state, undefined);
    assert.match(verdict.problems.join(), /"auto", which only a baseline/);
    assert.equal(sleepDecisions([], monday)(environment('alice', { 't-env.dev/awake-hours': 'auto' })).verdict.state, undefined);
  });
});

describe('baseline sleep: ordinary awake hours', () => {
  it('follows them and ignores the overlays made from it', () => {
    const scheduled = baseline('main', office);
    assert.deepEqual(sleepDecisions([overlay('alice', 'main', { 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'always' })], sunday)(scheduled),
      { verdict: evaluate(office, sunday), cause: 'schedule', follows: false });
    assert.equal(sleepDecisions([], monday)(scheduled).verdict.state, 'awake');
  });

  it('a baseline without awake hours is left alone, and not even managed', () => {
    const plain = baseline('main', {});
    assert.equal(sleepDecisions([overlay('alice', 'main')], monday)(plain).verdict.state, undefined);
    assert.equal(isSleeperManaged(plain), false);
    assert.equal(isSleeperManaged(auto), true);
    assert.equal(isSleeperManaged(baseline('kube-system', { 't-env.dev/awake-hours': 'auto' })), false);
    assert.equal(isSleeperManaged(environment('alice', {})), true);
  });
});

describe('manual wake of an overlay', () => {
  const ledger = (state: 'asleep' | 'awake'): string => JSON.stringify({ v: 1, state, cause: 'schedule', since: '2026-01-11T00:00:00.000Z', days: {} });

  it('wakes an auto baseline that is not known to be awake', () => {
    assert.equal(baselineToWake(baseline('main', { 't-env.dev/awake-hours': 'auto', 't-env.dev/sleep-ledger': ledger('asleep') }), 'alice', sunday), true);
    assert.equal(baselineToWake(auto, 'alice', sunday), true, 'no ledger yet');
    assert.equal(baselineToWake(baseline('main', { 't-env.dev/awake-hours': 'auto', 't-env.dev/sleep-ledger': ledger('awake') }), 'alice', sunday), false, 'already awake');
  });

  it('leaves alone a baseline with hours of its own, one asleep by its own marker, and a namespace that is no baseline', () => {
    assert.equal(baselineToWake(baseline('main', office), 'alice', sunday), false);
    assert.equal(baselineToWake(baseline('main', { 't-env.dev/awake-hours': 'auto', 't-env.dev/asleep-until': '9999-12-31T23:59:59.999Z' }), 'alice', sunday), false);
    assert.equal(baselineToWake(environment('main', { 't-env.dev/awake-hours': 'auto' }), 'alice', sunday), false);
    assert.equal(baselineToWake(baseline('kube-system', { 't-env.dev/awake-hours': 'auto' }), 'alice', sunday), false);
  });
});

describe('baseline sleep text', () => {
  it('a namespace that is a baseline and an environment shows what auto follows instead of a problem', () => {
    const both: NamespaceLike = { metadata: { name: 'main', labels: { 't-env.dev/environment': 'true', 't-env.dev/baseline': 'true' }, annotations: { 't-env.dev/awake-hours': 'auto' } } };
    const info = environmentInfo(both, []);
    assert.equal(info.isBaseline, true);
    assert.deepEqual(scheduleView(info, monday), { awakeBySchedule: undefined, next: undefined, problem: undefined, follows: 'awake while an environment made from main is awake' });
    // The same hours on a plain environment are its problem.
    const plain = environmentInfo(environment('alice', { 't-env.dev/awake-hours': 'auto', 't-env.dev/timezone': 'UTC' }), []);
    assert.equal(plain.isBaseline, undefined);
    assert.equal(scheduleView(plain, monday).follows, undefined);
    assert.match(scheduleView(plain, monday).problem ?? '', /only a baseline/);
  });

  it('says what an auto baseline follows, briefly and sanitized', () => {
    assert.equal(baselineSleepText('main', 'auto'), 'awake while an environment made from main is awake');
    assert.equal(baselineSleepText('main', office['t-env.dev/awake-hours']), undefined);
    assert.equal(baselineSleepText('main', undefined), undefined);
    assert.ok(!(baselineSleepText('ma\u001b[31min', 'auto') ?? '\u001b').includes('\u001b'));
  });
});
