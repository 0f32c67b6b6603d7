// The sleeper's TTL step (see core/expiry.ts for the contract): one Warning Event per environment
// 15 minutes before its `t-env.dev/expires-at`, and the deletion of the namespace once it has
// passed. Stateless across passes and restarts: the warning Event has a name derived from the
// expiry instant (a second create is a 409), and the deletion carries the namespace's uid and
// resourceVersion as preconditions, so an environment extended after the list is not deleted.
import * as k8s from '@kubernetes/client-node';
import { expiryOf, expiryRefusal } from '../core/expiry.ts';
import { describeError } from '../core/errors.ts';
import { isApiStatus, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';

export interface ExpiryOptions {
  /** The sleeper's own namespace, never deleted (the reconciler passes kube.ts ownNamespace()). */
  ownNamespace?: string | undefined;
}

export interface ExpiryOutcome {
  readonly name: string;
  /** `warned`: Event recorded; `deleted`: deletion requested; `refused`: protected; `problem`: could not act. */
  readonly action: 'warned' | 'deleted' | 'refused' | 'problem';
  readonly detail: string;
}

/**
 * Warns about and deletes the expired environments among `namespaces` (already listed by the
 * pass). Returns the names whose deletion was requested, and what happened to each environment
 * that has an `expires-at` due for action. Never throws for one environment's failure.
 */
export async function sweepExpired(session: KubeSession, namespaces: readonly k8s.V1Namespace[], now: Date, options: ExpiryOptions = {}): Promise<{ deleted: Set<string>; outcomes: ExpiryOutcome[] }> {
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  const deleted = new Set<string>();
  const outcomes: ExpiryOutcome[] = [];
  for (const ns of namespaces) {
    const name = ns.metadata?.name;
    if (!name || ns.metadata?.deletionTimestamp) continue;
    const expiry = expiryOf(ns.metadata?.annotations, now);
    if (expiry.state === 'none' || expiry.state === 'live') continue;
    if (expiry.state === 'invalid') {
      outcomes.push({ name, action: 'problem', detail: expiry.problem });
      continue;
    }
    const refusal = expiryRefusal(ns.metadata ?? {}, options.ownNamespace);
    if (refusal) {
      outcomes.push({ name, action: 'refused', detail: `not deleted on expiry: ${refusal}` });
      continue;
    }
    const at = expiry.expiresAt.toISOString();
    try {
      if (expiry.state === 'warn') {
        if (await warnOnce(core, name, expiry.expiresAt, now)) outcomes.push({ name, action: 'warned', detail: `expires at ${at}` });
        continue;
      }
      const preconditions: k8s.V1Preconditions = {};
      if (ns.metadata?.uid) preconditions.uid = ns.metadata.uid;
      if (ns.metadata?.resourceVersion) preconditions.resourceVersion = ns.metadata.resourceVersion;
      await core.deleteNamespace({ name, body: { preconditions } });
      deleted.add(name);
      outcomes.push({ name, action: 'deleted', detail: `expired at ${at}` });
    } catch (error) {
      // 409: extended (or otherwise changed) since the list; 404: gone already. The next pass looks again.
      if (isApiStatus(error, 409) || isApiStatus(error, 404)) continue;
      const verb = expiry.state === 'warn' ? 'create events' : 'delete namespaces';
      outcomes.push({ name, action: 'problem', detail: describeError(toTEnvError(error, session, `${verb} (namespace ${name})`)) });
    }
  }
  return { deleted, outcomes };
}

/** Records the expiry warning unless it was recorded already (its name is per instant); true when recorded now. */
async function warnOnce(core: k8s.CoreV1Api, namespace: string, expiresAt: Date, now: Date): Promise<boolean> {
  const minutes = Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 60_000));
  const body: k8s.CoreV1Event = {
    metadata: { name: `t-env-expiry.${Math.floor(expiresAt.getTime() / 1000)}`, namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: namespace, namespace },
    reason: 'EnvironmentExpiring', type: 'Warning',
    message: `T-Env sleeper: this environment expires at ${expiresAt.toISOString()} (in ${minutes} min) and will then be deleted. Extend it with "t env extend ${namespace} --ttl 2h".`,
    source: { component: 't-env-sleeper' }, reportingComponent: 't-env.dev/sleeper', reportingInstance: 't-env-sleeper',
    firstTimestamp: now, lastTimestamp: now, count: 1,
  };
  try {
    await core.createNamespacedEvent({ namespace, body });
    return true;
  } catch (error) {
    if (isApiStatus(error, 409)) return false;
    throw error;
  }
}
