// T-Env: Show T-Env Log.
import type { CommandFactory } from '../tenv-context.ts';

export const showLog: CommandFactory = (ctx) => async () => {
  ctx.log.show(true);
  return Promise.resolve();
};
