// `t schedule next`: evaluates awake hours exactly as the sleeper and the tree do.
import { scheduleStatus } from '../core/schedule.ts';
import { Holidays, parsePrewarmMinutes, schedulePolicy } from '../core/schedule-policy.ts';
import { InvalidInputError } from '../core/errors.ts';
import { isAutoHours } from '../core/environment-verdict.ts';
import { stringOption } from './command.ts';
import type { Command } from './command.ts';

export const scheduleCommands: Command[] = [
  {
    path: ['schedule', 'next'],
    summary: 'Say whether a schedule is awake at an instant and when it next sleeps or wakes.',
    options: {
      hours: { type: 'string', description: 'awake hours, e.g. "Mon-Fri 08:00-20:00; Sat 10:00-12:00", "always", or a baseline\'s "auto"', valueName: 'spec' },
      tz: { type: 'string', description: 'IANA time zone, e.g. Europe/Berlin', valueName: 'zone' },
      at: { type: 'string', description: 'RFC 3339 instant to evaluate (default: now)', valueName: 'instant' },
      'prewarm-minutes': { type: 'string', description: 'wake this many minutes before each awake stretch (0-240)', valueName: 'n' },
      holidays: { type: 'string', description: 'asleep all day, in --tz: dates and ranges, e.g. "2026-12-24,2026-12-31..2027-01-01"', valueName: 'list' },
    },
    run(ctx) {
      const hours = stringOption(ctx, 'hours');
      const tz = stringOption(ctx, 'tz');
      if (hours === undefined) throw new InvalidInputError('Missing --hours.', 'Example: t schedule next --hours "Mon-Fri 08:00-20:00" --tz Europe/Berlin');
      if (isAutoHours(hours)) {
        // A baseline's rule (core/baseline-sleep.ts): it depends on other namespaces, not on the clock.
        if (ctx.out.json) ctx.out.data({ awake: null, next: null, follows: 'overlays' });
        else ctx.out.line('auto: a baseline\'s setting, awake while an environment made from it is awake; no clock to evaluate');
        return Promise.resolve(0);
      }
      if (tz === undefined) throw new InvalidInputError('Missing --tz.', 'Example: t schedule next --hours "Mon-Fri 08:00-20:00" --tz Europe/Berlin');
      const atText = stringOption(ctx, 'at');
      const at = atText === undefined ? new Date() : new Date(atText);
      if (atText !== undefined && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(atText) || Number.isNaN(at.getTime()))) {
        throw new InvalidInputError(`Invalid --at "${atText}": not an RFC 3339 instant.`, 'Example: 2026-03-29T01:30:00Z');
      }
      const prewarmMinutes = stringOption(ctx, 'prewarm-minutes');
      const holidays = stringOption(ctx, 'holidays');
      // Checked here first, so that an error names the flag's value rather than an annotation.
      if (prewarmMinutes !== undefined) parsePrewarmMinutes(prewarmMinutes);
      if (holidays !== undefined) Holidays.parse(holidays);
      const schedule = schedulePolicy(hours, { prewarmMinutes, holidays });
      const status = scheduleStatus(schedule, tz, at);
      if (ctx.out.json) ctx.out.data(status);
      else ctx.out.line(`${status.awake ? 'awake' : 'asleep'}${status.next ? `; next: ${status.next.action} at ${status.next.at}` : '; no scheduled change'}`);
      return Promise.resolve(0);
    },
  },
];
