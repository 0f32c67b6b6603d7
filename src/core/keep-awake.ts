// "Keep awake for…" choices: an instant until which a manual wake holds.
import { SleepSchedule } from './schedule.ts';

export type KeepAwakeChoice = '1h' | '4h' | 'tomorrow';

/**
 * 1 h and 4 h from now; "until tomorrow" means through the night until the schedule's next wake
 * (from then on the schedule keeps it awake anyway), or 24 h for a schedule without one.
 */
export function keepAwakeUntil(choice: KeepAwakeChoice, now: Date, awakeHours: string | undefined, timezone: string | undefined): Date {
  if (choice === '1h') return new Date(now.getTime() + 3_600_000);
  if (choice === '4h') return new Date(now.getTime() + 4 * 3_600_000);
  const fallback = new Date(now.getTime() + 24 * 3_600_000);
  if (!awakeHours || !timezone) return fallback;
  const schedule = SleepSchedule.parse(awakeHours);
  const first = schedule.next(now, timezone);
  if (!first) return fallback;
  if (first.action === 'wake') return first.at;
  return schedule.next(first.at, timezone)?.at ?? fallback;
}
