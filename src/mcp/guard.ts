// What an agent may touch. It reads any T-Env environment; it acts only on the environments the
// user owns (owner label = the CLI's "me"), never on a baseline, a system namespace or a namespace
// that is not an environment. Every refusal is a typed error with a hint, like the CLI's.
import type * as k8s from '@kubernetes/client-node';
import { ANNOTATION_CREATED_BY, isProtectedNamespace, isVerifiablyMine, LABEL_BASELINE, LABEL_OWNER } from '../core/environment.ts';
import { TEnvError } from '../core/errors.ts';
import { readEnvironmentNamespace, whoAmI } from '../adapters/environments.ts';
import type { KubeSession } from '../adapters/kube.ts';

/** A T-Env environment that is not a system namespace (refused before any request). */
export async function readableEnvironment(session: KubeSession, name: string): Promise<k8s.V1Namespace> {
  if (isProtectedNamespace(name)) {
    throw new TEnvError('refused', `"${name}" is a system namespace; T-Env tools never touch it.`, { hint: 'Name one of the environments listed by list_environments.' });
  }
  return readEnvironmentNamespace(session, name);
}

/** An environment the agent may change: readable, owned by `me`, not a baseline. */
export async function ownedEnvironment(session: KubeSession, name: string, me: string): Promise<k8s.V1Namespace> {
  const ns = await readableEnvironment(session, name);
  const owner = ns.metadata?.labels?.[LABEL_OWNER] ?? '';
  if (owner !== me) {
    throw new TEnvError('not-owner', `The environment "${name}" belongs to ${owner || 'nobody'}, not to you (${me}); agents change only their user's environments.`, {
      hint: 'Create your own with create_environment.',
    });
  }
  // The owner label is a claim anyone may write; the API server's own record of who created the
  // namespace is the proof (see isVerifiablyMine and deploy/environments).
  const username = await whoAmI(session);
  if (!isVerifiablyMine({ createdBy: ns.metadata?.annotations?.[ANNOTATION_CREATED_BY] }, username)) {
    throw new TEnvError('not-owner', `The environment "${name}" carries your owner label but was not created by you (${username}); agents change only environments their user verifiably owns.`, {
      hint: 'Create your own with create_environment.',
    });
  }
  if (ns.metadata?.labels?.[LABEL_BASELINE] === 'true') {
    throw new TEnvError('refused', `The environment "${name}" is a baseline (${LABEL_BASELINE}=true); agents never change baselines.`, {
      hint: 'Work in an environment of your own.',
    });
  }
  return ns;
}

/** Refuses a destructive call without `confirm: true`, before any request. */
export function requireConfirm(tool: string, what: string, confirm: boolean | undefined): void {
  if (confirm !== true) {
    throw new TEnvError('confirm-required', `${tool} ${what}; it needs confirm: true.`, { hint: 'Check that this is what the user wants, then call it again with confirm: true.' });
  }
}
