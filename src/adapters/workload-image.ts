// Changing one container image of a workload (the agent's "deploy the image I just built").
import * as k8s from '@kubernetes/client-node';
import { KINDS, WORKLOAD_KINDS } from '../core/kinds.ts';
import type { WorkloadKind, WorkloadLookup } from '../core/kinds.ts';
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { checkImageReference } from '../core/image-reference.ts';
import { kindClients } from './kinds.ts';
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

interface PodTemplated {
  metadata?: { resourceVersion?: string | undefined } | undefined;
  spec?: { template?: k8s.V1PodTemplateSpec | undefined; jobTemplate?: { spec?: { template?: k8s.V1PodTemplateSpec | undefined } | undefined } | undefined } | undefined;
}

/**
 * Sets the image of one container (the only one when `container` is omitted) of a Deployment,
 * StatefulSet or CronJob. A strategic merge patch keyed by container name, with a resourceVersion
 * precondition: the other containers and fields stay as they are. Validates the image first.
 */
export async function setWorkloadImage(
  session: KubeSession, namespace: string, ref: WorkloadLookup, image: string, container?: string,
): Promise<ImageChange> {
  const problem = checkImageReference(image);
  if (problem) throw new InvalidInputError(problem, 'Pass the reference the image was pushed as.');
  const kinds = kindClients(session.kc);
  const read = async (kind: WorkloadKind): Promise<{ kind: WorkloadKind; obj: PodTemplated } | undefined> => {
    try {
      return { kind, obj: await kinds[kind].read(namespace, ref.name) };
    } catch (error) {
      if (isApiStatus(error, 404)) return undefined;
      throw toTEnvError(error, session, `get ${KINDS[kind].plural} in namespace ${namespace}`);
    }
  };
  const found = (await Promise.all((ref.kind ? [ref.kind] : WORKLOAD_KINDS).map(read))).filter((f) => f !== undefined);
  if (found.length === 0) throw new NotFoundError(`The workload "${ref.name}" in ${namespace}`, 'List the workloads with environment_status or "t env ls --json".');
  if (found.length > 1) throw new InvalidInputError(`Several workloads are named "${ref.name}" (${found.map((f) => f.kind).join(', ')}).`, 'Pass the kind as well.');
  const { kind, obj } = found[0]!;
  const podSpec = kind === 'CronJob' ? obj.spec?.jobTemplate?.spec?.template?.spec : obj.spec?.template?.spec;
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
  try {
    await kinds[kind].patch(namespace, ref.name, body, strategicMergePatch);
  } catch (error) {
    throw toTEnvError(error, session, `patch ${KINDS[kind].plural} in namespace ${namespace}`, `${kind} ${ref.name}`);
  }
  return { kind, workload: ref.name, container: target.name, previousImage: target.image ?? '', image };
}
