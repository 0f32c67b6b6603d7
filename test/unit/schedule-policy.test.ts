// Pre-warm and holidays. Instants are UTC and were worked out by hand from the zones' rules, so the
// tests hold under any TZ (run under TZ=UTC and TZ=Pacific/Chatham). Berlin 2026: CET (UTC+1)
// until Mar 29 01:00Z, CEST (UTC+2) until Oct 25 01:00Z. Chatham in December: UTC+13:45.
// 2026-01-12 is a Monday, 2026-12-24 a Thursday.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors.ts';
import { Holidays, parsePrewarmMinutes, SchedulePolicy } from '../../src/core/schedule-policy.ts';
import { SleepSchedule } from '../../src/core/schedule.ts';
import { environmentInfo } from '../../src/core/environment.ts';
import { environmentJson } from '../../src/core/environment-view.ts';
import type { Transition } from '../../src/core/schedule.ts';

const BERLIN = 'Europe/Berlin';
const utc = (iso: string): Date => new Date(iso);
const wake = (iso: string): Transition => ({ action: 'wake', at: utc(iso) });
const sleep = (iso: string): Transition => ({ action: 'sleep', at: utc(iso) });

function policy(spec: string, options: { prewarm?: number; holidays?: string } = {}): SchedulePolicy {
  return new SchedulePolicy(SleepSchedule.parse(spec), { prewarmMinutes: options.prewarm, holidays: options.holidays === undefined ? undefined : Holidays.parse(options.holidays) });
}

describe('pre-warm', () => {
  it('wakes that many minutes before the window; the sleep does not move', () => {
    const p = policy('Mon-Fri 08:00-18:00', { prewarm: 15 });
    assert.equal(p.isAwake(utc('2026-01-12T06:40:00Z'), BERLIN), false);
    assert.deepEqual(p.next(utc('2026-01-12T06:40:00Z'), BERLIN), wake('2026-01-12T06:45:00Z'));
    assert.equal(p.isAwake(utc('2026-01-12T06:50:00Z'), BERLIN), true);
    assert.deepEqual(p.next(utc('2026-01-12T06:50:00Z'), BERLIN), sleep('2026-01-12T17:00:00Z'));
    assert.deepEqual(p.next(utc('2026-01-12T17:00:00Z'), BERLIN), wake('2026-01-13T06:45:00Z'));
  });

  it('counts real minutes across a spring-forward gap, and bridges gaps shorter than itself', () => {
    // Sunday 03:30 CEST is 01:30Z; an hour before is 00:30Z, 01:30 CET on the wall clock.
    assert.deepEqual(policy('Sun 03:30-12:00', { prewarm: 60 }).next(utc('2026-03-28T22:00:00Z'), BERLIN), wake('2026-03-29T00:30:00Z'));
    // 12:00-13:00 asleep, pre-warm 60: never asleep between the two windows.
    const lunch = policy('Mon 08:00-12:00; Mon 13:00-18:00', { prewarm: 60 });
    assert.deepEqual(lunch.next(utc('2026-01-12T08:00:00Z'), BERLIN), sleep('2026-01-12T17:00:00Z'));
  });
});

describe('holidays', () => {
  it('asleep all day on a holiday: the scheduled days around it are untouched', () => {
    const p = policy('Mon-Fri 08:00-18:00', { holidays: '2026-12-24..2026-12-25' });
    assert.equal(p.isAwake(utc('2026-12-24T10:00:00Z'), BERLIN), false);
    assert.deepEqual(p.next(utc('2026-12-23T12:00:00Z'), BERLIN), sleep('2026-12-23T17:00:00Z'));
    assert.deepEqual(p.next(utc('2026-12-23T17:00:00Z'), BERLIN), wake('2026-12-28T07:00:00Z'));
  });

  it('cuts an overnight window at the holiday\'s local midnight, and starts one at its end', () => {
    const p = policy('Thu-Sat 22:00-02:00', { holidays: '2026-12-25' });
    assert.deepEqual(p.next(utc('2026-12-24T20:00:00Z'), BERLIN), wake('2026-12-24T21:00:00Z'));
    assert.deepEqual(p.next(utc('2026-12-24T21:30:00Z'), BERLIN), sleep('2026-12-24T23:00:00Z'));
    // Friday's window starts on the holiday at 22:00 (asleep); it goes on past midnight into Saturday.
    assert.deepEqual(p.next(utc('2026-12-24T23:00:00Z'), BERLIN), wake('2026-12-25T23:00:00Z'));
    assert.deepEqual(p.next(utc('2026-12-25T23:00:00Z'), BERLIN), sleep('2026-12-26T01:00:00Z'));
  });

  it('a holiday on a DST day lasts 23 or 25 hours (Berlin), and follows a 45-minute zone (Chatham)', () => {
    const spring = policy('always', { holidays: '2026-03-29' });
    assert.deepEqual(spring.next(utc('2026-03-28T12:00:00Z'), BERLIN), sleep('2026-03-28T23:00:00Z'));
    assert.deepEqual(spring.next(utc('2026-03-28T23:00:00Z'), BERLIN), wake('2026-03-29T22:00:00Z'));
    const fall = policy('always', { holidays: '2026-10-25' });
    assert.deepEqual(fall.next(utc('2026-10-24T12:00:00Z'), BERLIN), sleep('2026-10-24T22:00:00Z'));
    assert.deepEqual(fall.next(utc('2026-10-24T22:00:00Z'), BERLIN), wake('2026-10-25T23:00:00Z'));
    const chatham = policy('always', { holidays: '2026-12-25' });
    assert.deepEqual(chatham.next(utc('2026-12-24T00:00:00Z'), 'Pacific/Chatham'), sleep('2026-12-24T10:15:00Z'));
    assert.deepEqual(chatham.next(utc('2026-12-24T10:15:00Z'), 'Pacific/Chatham'), wake('2026-12-25T10:15:00Z'));
  });

  it('pre-warm never reaches into a holiday, but does wake on the evening before one', () => {
    assert.deepEqual(policy('Mon-Fri 08:00-18:00', { prewarm: 30, holidays: '2026-01-12' }).next(utc('2026-01-11T12:00:00Z'), BERLIN), wake('2026-01-13T06:30:00Z'));
    // Tuesday is a holiday; its 00:15 window would pre-warm from Monday 23:45 local.
    const p = policy('Tue 00:15-06:00', { prewarm: 30, holidays: '2026-01-13' });
    assert.deepEqual(p.next(utc('2026-01-12T12:00:00Z'), BERLIN), wake('2026-01-12T22:45:00Z'));
    assert.deepEqual(p.next(utc('2026-01-12T22:45:00Z'), BERLIN), sleep('2026-01-12T23:00:00Z'));
  });

  it('parses dates and ranges, merges them, and refuses anything else', () => {
    assert.equal(Holidays.parse('2026-12-26, 2026-12-24..2026-12-25,2027-01-01').toString(), '2026-12-24..2026-12-26,2027-01-01');
    assert.equal(Holidays.union(Holidays.parse('2026-12-24'), Holidays.parse('2026-12-25')).toString(), '2026-12-24..2026-12-25');
    assert.equal(Holidays.parse('').toString(), '');
    for (const [text, message] of [
      ['2026-02-30', /Invalid holiday "2026-02-30"/],
      ['24.12.2026', /Invalid holiday "24.12.2026"/],
      ['2026-12-25..2026-12-24', /ends before it starts/],
      ['2026-01-01..2026-12-31', /longer than 62 days/],
      ['2026-01-01..2026-01-02..2026-01-03', /Invalid holiday/],
      ['x'.repeat(5000), /longer than 4096 characters/],
    ] as const) {
      assert.throws(() => Holidays.parse(text), (error: unknown) => error instanceof InvalidInputError && message.test(error.message), text.slice(0, 40));
    }
  });

  it('pre-warm minutes are whole minutes from 0 to 240', () => {
    assert.equal(parsePrewarmMinutes('15'), 15);
    assert.equal(parsePrewarmMinutes('0'), 0);
    for (const bad of ['-5', '241', '1.5', 'soon', '']) assert.throws(() => parsePrewarmMinutes(bad), InvalidInputError, bad);
  });
});

describe('t env ls and the tree', () => {
  it('show the pre-warmed wake, skip holidays, and name a bad annotation as the environment\'s problem', () => {
    const env = (annotations: Record<string, string>) => environmentInfo({ metadata: { name: 'e', annotations: { 't-env.dev/awake-hours': 'Mon-Fri 08:00-18:00', 't-env.dev/timezone': BERLIN, ...annotations } } }, []);
    const json = environmentJson(env({ 't-env.dev/prewarm-minutes': '30', 't-env.dev/holidays': '2026-12-24..2026-12-25' }), utc('2026-12-23T17:00:00Z'));
    assert.deepEqual([json.next, json.prewarmMinutes, json.holidays, json.problem], [{ action: 'wake', at: '2026-12-28T06:30:00.000Z' }, 30, '2026-12-24..2026-12-25', null]);
    const bad = environmentJson(env({ 't-env.dev/holidays': 'soon' }), utc('2026-12-23T17:00:00Z'));
    assert.match(bad.problem ?? '', /^t-env\.dev\/holidays: Invalid holiday "soon"/);
    assert.equal(bad.next, null);
  });
});
