// T-Env: Extend Environment… — gives an environment a time to live, or moves it (t-env.dev/expires-at).
import * as vscode from 'vscode';
import { parseDurationMs } from '../../core/duration.ts';
import { describeError } from '../../core/errors.ts';
import { expiresAtAfter } from '../../core/expiry.ts';
import { pickEnvironment } from '../pick.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

/** Why a TTL typed into an input box is not one (undefined: it is). */
export function checkTtl(text: string): string | undefined {
  const ms = parseDurationMs(text.trim());
  if (ms === undefined) return 'Type a duration such as 2h, 90m or 1d.';
  try {
    expiresAtAfter(new Date(), ms);
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

export const extendEnvironment: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  const env = await pickEnvironment(ctx, arg, 'Environment to extend');
  if (!env) return;
  const ttl = await vscode.window.showInputBox({
    title: `Extend ${env.name}`, prompt: 'It will expire this long from now (the sleeper deletes it then)', value: '2h', validateInput: checkTtl,
  });
  if (ttl === undefined) return;
  const { expiresAt } = await runtime().extendEnvironment(session, env.name, parseDurationMs(ttl.trim())!);
  ctx.log.info(`${env.name} now expires at ${expiresAt}.`);
  void vscode.window.showInformationMessage(`${env.name} now expires at ${new Date(expiresAt).toLocaleString()}.`);
};
