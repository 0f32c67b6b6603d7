// Dev mode planning shared by `t dev` and the VS Code commands: find and parse the manifest, match
// the service to a workload of the environment, locate okteto, and wake the environment first.
import path from 'node:path';
import { ANNOTATION_REPLICAS_BEFORE_SLEEP } from '../core/environment.ts';
import { devServicesInEnvironment, findDevService, matchDevWorkload } from '../core/okteto-manifest.ts';
import type { DevService, OktetoManifest, WorkloadRef } from '../core/okteto-manifest.ts';
import { SCALABLE_KINDS } from '../core/kinds.ts';
import { readEnvironmentNamespace } from './environments.ts';
import { kindClients } from './kinds.ts';
import { toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';
import { findManifest, loadManifest, OktetoCli } from './okteto.ts';
import type { DevTarget } from './okteto.ts';
import { waitUntilReady, wakeEnvironment } from './sleep.ts';

export interface LoadedManifest {
  path: string;
  /** Relative to the workspace folder, for messages ("okteto.yml:7: …"). */
  displayName: string;
  manifest: OktetoManifest;
}

export async function loadWorkspaceManifest(folder: string, override?: string): Promise<LoadedManifest> {
  const file = await findManifest(folder, override || undefined);
  const displayName = path.relative(folder, file) || path.basename(file);
  return { path: file, displayName, manifest: await loadManifest(file, displayName) };
}

/** The environment's Deployments and StatefulSets, and whether any of them is asleep. */
export async function environmentWorkloads(session: KubeSession, namespace: string): Promise<{ workloads: WorkloadRef[]; asleep: boolean }> {
  await readEnvironmentNamespace(session, namespace);
  const kinds = kindClients(session.kc);
  try {
    const lists = await Promise.all(SCALABLE_KINDS.map(async (kind) => (await kinds[kind].list(namespace)).items.map((obj) => ({ kind, obj }))));
    const all = lists.flat();
    return {
      workloads: all.map(({ kind, obj }) => ({ kind, name: obj.metadata?.name ?? '' })),
      asleep: all.some(({ obj }) => obj.metadata?.annotations?.[ANNOTATION_REPLICAS_BEFORE_SLEEP] !== undefined),
    };
  } catch (error) {
    throw toTEnvError(error, session, `list deployments in ${namespace}`);
  }
}

export interface DevPlan {
  service: DevService;
  workload: WorkloadRef;
  target: DevTarget;
  manifest: LoadedManifest;
  asleep: boolean;
}

/** Everything Start/Stop Dev needs, validated before anything runs. */
export async function planDev(session: KubeSession, input: { manifest: LoadedManifest; service: string; namespace: string }): Promise<DevPlan> {
  const service = findDevService(input.manifest.manifest, input.service, input.manifest.displayName);
  const { workloads, asleep } = await environmentWorkloads(session, input.namespace);
  const workload = matchDevWorkload(service, workloads, input.namespace, input.manifest.displayName);
  return {
    service, workload, asleep, manifest: input.manifest,
    target: { service: service.name, manifest: input.manifest.path, namespace: input.namespace, context: session.context },
  };
}

/** The manifest's services that exist in the environment (for pickers). */
export async function servicesInEnvironment(session: KubeSession, manifest: LoadedManifest, namespace: string): Promise<DevService[]> {
  const { workloads } = await environmentWorkloads(session, namespace);
  return devServicesInEnvironment(manifest.manifest, workloads);
}

/**
 * Wakes an asleep environment (DevPlan.asleep says whether it is) and waits for its pods, before
 * `okteto up` takes a workload over.
 */
export async function wakeForDev(session: KubeSession, namespace: string, options: { minimumHours: number; signal?: AbortSignal | undefined; onProgress?: ((text: string) => void) | undefined }): Promise<void> {
  options.onProgress?.(`Waking ${namespace} first…`);
  await wakeEnvironment(session, namespace, { minimumHours: options.minimumHours, signal: options.signal, onProgress: options.onProgress });
  await waitUntilReady(session, namespace, { signal: options.signal, onProgress: options.onProgress });
}

export { OktetoCli };
