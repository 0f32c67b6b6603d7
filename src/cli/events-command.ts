// `t env events <name>`: recent warning events of an environment (or one workload).
import { recentWarnings } from '../core/environment.ts';
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
      const only = stringOption(ctx, 'workload');
      const workloads = only ? env.workloads.filter((w) => w.name === only) : env.workloads;
      if (only && workloads.length === 0) throw new NotFoundError(`The workload "${only}" in ${name}`, `Workloads: ${env.workloads.map((w) => w.name).join(', ')}`);
      const seen = new Set<string>();
      warnings = recentWarnings(workloads.flatMap((w) => w.warnings.map((x) => ({ ...x, workload: w.name }))), new Date())
        .filter((w) => { const key = `${w.object}|${w.reason}|${w.lastSeen}`; return !seen.has(key) && seen.add(key); });
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
