// T-Env: Refresh — reconnects to the cluster (also the welcome view's Retry).
import type { CommandFactory } from '../tenv-context.ts';

export const refresh: CommandFactory = (ctx) => async () => {
  await ctx.connection.reconnect();
};
