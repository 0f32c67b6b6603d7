// Resolving a command's target from a tree node, a name, or a quick pick.
import * as vscode from 'vscode';
import { mineFirst } from '../core/environment.ts';
import type { EnvironmentInfo, WorkloadInfo } from '../core/environment.ts';
import type { EnvRef } from '../core/kinds.ts';
import { EnvironmentNode, PodNode, WorkloadNode } from './environment-tree.ts';
import type { TEnvContext } from './tenv-context.ts';

function isEnvRef(arg: unknown): arg is EnvRef {
  return typeof arg === 'object' && arg !== null && typeof (arg as EnvRef).context === 'string' && typeof (arg as EnvRef).namespace === 'string';
}

/** The environment a command acts on: the tree node, an EnvRef or a name argument, or ask (mine first; only those `filter` keeps). */
export async function pickEnvironment(ctx: TEnvContext, arg: unknown, placeHolder: string, filter: (e: EnvironmentInfo) => boolean = () => true): Promise<EnvironmentInfo | undefined> {
  if (arg instanceof EnvironmentNode) return ctx.connection.environment(arg.info.name) ?? arg.info;
  if (arg instanceof WorkloadNode || arg instanceof PodNode) return ctx.connection.environment(arg.environment);
  await ctx.connection.requireSession();
  if (typeof arg === 'string' || isEnvRef(arg)) {
    const ref = typeof arg === 'string' ? { context: undefined, namespace: arg } : arg;
    const context = ctx.connection.session?.context;
    // A ref made under another context (a status bar rendered before a context switch) names another cluster's environment.
    if (ref.context !== undefined && ref.context !== context) {
      throw new Error(`The environment "${ref.namespace}" belongs to context "${ref.context}", not the selected "${context ?? ''}". Select that context first.`);
    }
    const env = ctx.connection.environment(ref.namespace);
    if (!env) throw new Error(`The environment "${ref.namespace}" does not exist in this context.`);
    return env;
  }
  const me = ctx.connection.me();
  const envs = mineFirst(ctx.connection.environments().filter(filter), me);
  if (envs.length === 0) {
    void vscode.window.showInformationMessage('There are no environments yet.', 'Create Environment').then((b) => b && vscode.commands.executeCommand('tenv.createEnvironment'));
    return undefined;
  }
  const current = ctx.current.get();
  const picked = await vscode.window.showQuickPick(envs.map((e) => ({
    label: e.name, description: `${e.owner === me ? 'mine' : e.owner} · ${e.state}`, picked: e.name === current?.name, env: e,
  })), { placeHolder });
  return picked?.env;
}

/** The workload a command acts on: a tree node, or ask for the environment then the workload. */
export async function pickWorkload(ctx: TEnvContext, arg: unknown, placeHolder: string, filter: (w: WorkloadInfo) => boolean = () => true): Promise<{ env: EnvironmentInfo; workload: WorkloadInfo } | undefined> {
  if (arg instanceof WorkloadNode || arg instanceof PodNode) {
    const env = ctx.connection.environment(arg.environment);
    const info = arg instanceof WorkloadNode ? arg.info : arg.workload;
    if (!env) return undefined;
    return { env, workload: env.workloads.find((w) => w.kind === info.kind && w.name === info.name) ?? info };
  }
  const env = await pickEnvironment(ctx, arg, 'Environment');
  if (!env) return undefined;
  const workloads = env.workloads.filter(filter);
  if (workloads.length === 0) throw new Error(`The environment "${env.name}" has no matching workloads.`);
  const picked = await vscode.window.showQuickPick(workloads.map((w) => ({ label: w.name, description: `${w.kind} · ${w.state}`, w })), { placeHolder });
  return picked ? { env, workload: picked.w } : undefined;
}
