// Changing one container image of a workload (the agent's "deploy the image I just built").
import * as k8s from '@kubernetes/client-node';
import type { WorkloadKind } from '../core/environment.ts';
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { checkImageReference } from '../core/image-reference.ts';
import { isApiStatus, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';

export interface ImageChange {
  kind: WorkloadKind;
  workload: string;
  container: string;
  previousImage: string;
  image: string;
}

const strategicMergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'CronJob'];

/**
 * Sets the image of one container (the only one when `container` is omitted) of a Deployment,
 * StatefulSet or CronJob. A strategic merge patch keyed by container name, with a resourceVersion
 * precondition: the other containers and fields stay as they are. Validates the image first.
 */
export async function setWorkloadImage(
  session: KubeSession, namespace: string, ref: { kind?: WorkloadKind | undefined; name: string }, image: string, container?: string,
): Promise<ImageChange> {
  const problem = checkImageReference(image);
  if (problem) throw new InvalidInputError(problem, 'Pass the reference the image was pushed as.');
  const apps = session.kc.makeApiClient(k8s.AppsV1Api);
  const batch = session.kc.makeApiClient(k8s.BatchV1Api);
  const read = async (kind: WorkloadKind): Promise<{ kind: WorkloadKind; obj: k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1CronJob } | undefined> => {
    try {
      const args = { name: ref.name, namespace };
      const obj = kind === 'Deployment' ? await apps.readNamespacedDeployment(args)
        : kind === 'StatefulSet' ? await apps.readNamespacedStatefulSet(args) : await batch.readNamespacedCronJob(args);
      return { kind, obj };
    } catch (error) {
      if (isApiStatus(error, 404)) return undefined;
      throw toTEnvError(error, session, `get ${kind.toLowerCase()}s in namespace ${namespace}`);
    }
  };
  const found = (await Promise.all((ref.kind ? [ref.kind] : KINDS).map(read))).filter((f) => f !== undefined);
  if (found.length === 0) throw new NotFoundError(`The workload "${ref.name}" in ${namespace}`, 'List the workloads with environment_status or "t env ls --json".');
  if (found.length > 1) throw new InvalidInputError(`Several workloads are named "${ref.name}" (${found.map((f) => f.kind).join(', ')}).`, 'Pass the kind as well.');
  const { kind, obj } = found[0]!;
  const podSpec = kind === 'CronJob' ? (obj as k8s.V1CronJob).spec?.jobTemplate.spec?.template.spec : (obj as k8s.V1Deployment).spec?.template.spec;
  const containers = podSpec?.containers ?? [];
  const target = container === undefined ? (containers.length === 1 ? containers[0] : undefined) : containers.find((c) => c.name === container);
  if (!target) {
    const names = containers.map((c) => c.name).join(', ');
    throw container === undefined
      ? new InvalidInputError(`${kind} ${ref.name} has several containers (${names}).`, 'Pass the container to change.')
      : new NotFoundError(`The container "${container}" of ${kind} ${ref.name}`, `Containers: ${names}.`);
  }
  const patchSpec = { template: { spec: { containers: [{ name: target.name, image }] } } };
  const body = { metadata: { resourceVersion: obj.metadata?.resourceVersion }, spec: kind === 'CronJob' ? { jobTemplate: { spec: patchSpec } } : patchSpec };
  const args = { name: ref.name, namespace, body };
  try {
    if (kind === 'Deployment') await apps.patchNamespacedDeployment(args, strategicMergePatch);
    else if (kind === 'StatefulSet') await apps.patchNamespacedStatefulSet(args, strategicMergePatch);
    else await batch.patchNamespacedCronJob(args, strategicMergePatch);
  } catch (error) {
    throw toTEnvError(error, session, `patch ${kind.toLowerCase()}s in namespace ${namespace}`, `${kind} ${ref.name}`);
  }
  return { kind, workload: ref.name, container: target.name, previousImage: target.image ?? '', image };
}
