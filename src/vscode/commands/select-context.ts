// T-Env: Select Context — lists the kubeconfig's contexts and switches the tree (per workspace).
import * as vscode from 'vscode';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const selectContext: CommandFactory = (ctx) => async () => {
  const { contexts, current } = runtime().listContexts();
  const active = ctx.connection.session?.context ?? ctx.connection.selectedContext ?? current;
  const picked = await vscode.window.showQuickPick(
    contexts.map((name) => ({ label: name, description: name === active ? 'active' : name === current ? 'kubeconfig default' : '' })),
    { placeHolder: 'Kubernetes context for T-Env in this workspace' },
  );
  if (!picked) return;
  await ctx.connection.selectContext(picked.label);
  ctx.log.info(`Switched to context "${picked.label}".`);
};
