// `t env events <name>`: recent warning events of an environment (or one workload).
import { environmentWarnings } from '../core/environment-view.ts';
import { NotFoundError } from '../core/errors.ts';
import { sanitizeText } from '../core/sanitize.ts';
import { readEnvironmentNamespace } from '../adapters/environments.ts';
import { EnvironmentStore } from '../adapters/environment-store.ts';
import { stringOption } from './command.ts';
import type { Command } from './command.ts';
import { session } from './env-commands.ts';

export const eventsCommand: Command = {
  path: ['env', 'events'],
  summary: 'Show the warning events of the last hour in an environment (BackOff, FailedScheduling, …).',
  args: ['<name>'],
  options: { workload: { type: 'string', short: 'w', description: 'only this workload', valueName: 'name' } },
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const s = session(ctx);
    await readEnvironmentNamespace(s, name);
    const store = new EnvironmentStore(s);
    let warnings;
    try {
      await store.start();
      const env = store.environment(name);
      if (!env) throw new NotFoundError(`The environment "${name}"`);
      warnings = environmentWarnings(env, stringOption(ctx, 'workload'), new Date());
    } finally {
      await store.dispose();
    }
    if (ctx.out.json) {
      ctx.out.data(warnings);
      return;
    }
    if (warnings.length === 0) {
      ctx.out.line(`No warnings in ${name} in the last hour.`);
      return;
    }
    // Reason, object and message are whatever was posted as an Event (untrusted): sanitized here,
    // before our own colour is added.
    for (const w of warnings) ctx.out.line(`${w.lastSeen}  ${ctx.out.bold(sanitizeText(w.reason).padEnd(18))} ${sanitizeText(w.object)} (×${w.count}): ${sanitizeText(w.message)}`);
  },
};
