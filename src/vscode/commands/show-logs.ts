// T-Env: Show Logs — every container of every pod of a workload, followed, in its own channel.
import { pickWorkload } from '../pick.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const showLogs: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  const target = await pickWorkload(ctx, arg, 'Workload whose logs to follow');
  if (!target) return;
  await ctx.logChannels.show(session, { context: session.context, namespace: target.env.name, kind: target.workload.kind, name: target.workload.name });
};
