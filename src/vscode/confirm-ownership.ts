// Start Dev syncs the workspace into an environment: into one that is not verifiably the user's
// (not created by their API identity; an owner label anyone could have written), ask first.
import * as vscode from 'vscode';
import { isVerifiablyMine } from '../core/environment.ts';
import { shortText } from '../core/sanitize.ts';
import type { TEnvContext } from './tenv-context.ts';

/** true when `namespace` is verifiably mine, or the user confirmed going ahead anyway. */
export async function confirmDevTarget(ctx: TEnvContext, namespace: string): Promise<boolean> {
  const env = ctx.connection.environment(namespace);
  const username = await ctx.connection.username();
  if (env && isVerifiablyMine(env, username)) return true;
  const creator = env?.createdBy === undefined ? 'an unknown creator' : shortText(env.createdBy);
  const go = 'Sync Into It';
  const answer = await vscode.window.showWarningMessage(
    `${namespace} was not created by you (${username}) but by ${creator}. Start Dev syncs this workspace's files into it. Continue?`,
    { modal: true }, go,
  );
  return answer === go;
}
