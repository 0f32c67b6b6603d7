// T-Env: Keep Awake For… — 1 h, 4 h or until tomorrow's scheduled wake.
import * as vscode from 'vscode';
import { keepAwakeUntil } from '../../core/keep-awake.ts';
import type { KeepAwakeChoice } from '../../core/keep-awake.ts';
import { pickEnvironment } from '../pick.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const keepAwake: CommandFactory = (ctx) => async (arg?: unknown, preset?: unknown) => {
  const session = await ctx.connection.requireSession();
  const env = await pickEnvironment(ctx, arg, 'Environment to keep awake');
  if (!env) return;
  let choice = preset as KeepAwakeChoice | undefined;
  if (choice !== '1h' && choice !== '4h' && choice !== 'tomorrow') {
    const picked = await vscode.window.showQuickPick([
      { label: '1 hour', choice: '1h' as const }, { label: '4 hours', choice: '4h' as const },
      { label: 'Until tomorrow', description: 'until the next scheduled wake', choice: 'tomorrow' as const },
    ], { placeHolder: `Keep ${env.name} awake for…` });
    if (!picked) return;
    choice = picked.choice;
  }
  const until = keepAwakeUntil(choice, new Date(), env.awakeHours, env.timezone);
  const rt = runtime();
  if (env.state === 'asleep' || env.state === 'partly-awake') {
    await rt.wakeEnvironment(session, env.name, { forMs: until.getTime() - Date.now(), minimumHours: 0, actor: { via: 'VS Code' } });
  } else {
    await rt.keepAwake(session, env.name, until);
  }
  ctx.log.info(`${env.name} kept awake until ${until.toISOString()}.`);
  void vscode.window.showInformationMessage(`${env.name} stays awake until ${until.toLocaleString()}.`);
};
