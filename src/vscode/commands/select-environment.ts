// T-Env: Select Current Environment — the one the status bar shows and commands default to.
import { pickEnvironment } from '../pick.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const selectEnvironment: CommandFactory = (ctx) => async (arg?: unknown) => {
  const env = await pickEnvironment(ctx, arg, 'Current environment for this workspace');
  if (env) await ctx.current.set(env.name);
};
