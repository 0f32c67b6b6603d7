// T-Env: Show Savings Report — hours awake and asleep and what sleep avoided, per environment, as
// `t report` figures them, in one webview panel (opened twice, it is reused). Its links call this
// command again with `{scope, days}`; from the palette or the view's title bar it opens with the
// tree's choice (mine, or everyone with Show All) over 7 days.
import { reportRequest } from '../../core/savings-view.ts';
import { config } from '../config.ts';
import { SavingsPanel } from '../savings-panel.ts';
import type { CommandFactory } from '../tenv-context.ts';

const COMMAND = 'tenv.showSavingsReport';

export const showSavingsReport: CommandFactory = (ctx) => {
  let panel: SavingsPanel | undefined;
  ctx.extension.subscriptions.push({ dispose: () => panel?.dispose() });
  return async (arg?: unknown) => {
    await ctx.connection.requireSession();
    const request = reportRequest(arg, panel?.request ?? { scope: config.showAllEnvironments() ? 'everyone' : 'mine', days: 7 });
    if (panel === undefined) {
      const opened = new SavingsPanel(ctx.connection, request, COMMAND);
      opened.onDidDispose(() => { if (panel === opened) panel = undefined; });
      panel = opened;
    }
    panel.show(request);
  };
};
