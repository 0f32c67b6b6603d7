// Tree title button: every developer's environments or only mine.
import { config, setShowAll } from '../config.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const toggleShowAll: CommandFactory = (ctx) => async () => {
  await setShowAll(!config.showAllEnvironments());
  ctx.tree.refreshAll();
};
