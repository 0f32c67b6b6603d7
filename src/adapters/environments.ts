// Creating and deleting environments (labelled namespaces) and loading a one-shot snapshot.
import * as k8s from '@kubernetes/client-node';
import {
  ANNOTATION_AWAKE_HOURS, ANNOTATION_CREATED_BY, ANNOTATION_EXPIRES_AT, ANNOTATION_TIMEZONE, checkEnvironmentName, environmentRefusal, LABEL_BASELINE,
  LABEL_ENVIRONMENT, LABEL_OWNER, ownerLabel,
} from '../core/environment.ts';
import { expiresAtAfter } from '../core/expiry.ts';
import type { EnvironmentInfo } from '../core/environment.ts';
import { CancelledError, InvalidInputError, NotFoundError, TEnvError } from '../core/errors.ts';
import { SleepSchedule, validateTimeZone } from '../core/schedule.ts';
import { EnvironmentStore } from './environment-store.ts';
import { isApiStatus, mergePatch, ownNamespace, toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';

export interface CreateEnvironmentInput {
  name: string;
  owner: string;
  timezone: string;
  awakeHours: string;
  /** Time to live: the sleeper deletes the environment this long after creation (`t-env.dev/expires-at`). */
  ttlMs?: number | undefined;
}

/** Validates everything before any request, so bad input changes nothing. */
export function validateCreateInput(input: CreateEnvironmentInput): CreateEnvironmentInput {
  const nameError = checkEnvironmentName(input.name);
  if (nameError) throw new InvalidInputError(nameError, 'Example: "jane-dev".');
  const timezone = validateTimeZone(input.timezone);
  const awakeHours = SleepSchedule.parse(input.awakeHours).toString();
  if (input.ttlMs !== undefined) expiresAtAfter(new Date(0), input.ttlMs);
  return { name: input.name, owner: ownerLabel(input.owner), timezone, awakeHours, ttlMs: input.ttlMs };
}

/** The caller's username as the API server sees it (SelfSubjectReview, allowed to every authenticated user). */
export async function whoAmI(session: KubeSession): Promise<string> {
  try {
    const review = await session.kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    return review.status?.userInfo?.username ?? '';
  } catch (error) {
    throw toTEnvError(error, session, 'create selfsubjectreviews');
  }
}

/**
 * The namespace of a new environment, said once for every way of creating one: labels (environment,
 * owner), time zone, awake hours, `expires-at` for a TTL, and `created-by` — who creates it, from the
 * API server itself (what "verifiably mine" is checked against) — plus `extra` annotations.
 */
export async function newEnvironmentNamespace(session: KubeSession, input: CreateEnvironmentInput, options: { now?: Date | undefined; extra?: Record<string, string> } = {}): Promise<{ body: k8s.V1Namespace; expiresAt: string | undefined }> {
  const expiresAt = input.ttlMs === undefined ? undefined : expiresAtAfter(options.now ?? new Date(), input.ttlMs);
  const createdBy = await whoAmI(session);
  const body: k8s.V1Namespace = {
    metadata: {
      name: input.name,
      labels: { [LABEL_ENVIRONMENT]: 'true', [LABEL_OWNER]: input.owner },
      annotations: {
        [ANNOTATION_TIMEZONE]: input.timezone, [ANNOTATION_AWAKE_HOURS]: input.awakeHours,
        ...(expiresAt === undefined ? {} : { [ANNOTATION_EXPIRES_AT]: expiresAt }),
        ...(createdBy ? { [ANNOTATION_CREATED_BY]: createdBy } : {}),
        ...options.extra,
      },
    },
  };
  return { body, expiresAt };
}

/** Creates the namespace; returns its `expires-at` when it has a TTL. */
export async function createEnvironment(session: KubeSession, raw: CreateEnvironmentInput, options: { now?: Date | undefined } = {}): Promise<{ expiresAt: string | undefined }> {
  const input = validateCreateInput(raw);
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  const { body, expiresAt } = await newEnvironmentNamespace(session, input, options);
  try {
    await core.createNamespace({ body });
  } catch (error) {
    if (isApiStatus(error, 409)) {
      throw new TEnvError('exists', `A namespace named "${input.name}" already exists.`, { hint: 'Pick another name.' });
    }
    throw toTEnvError(error, session, 'create namespaces');
  }
  return { expiresAt };
}

/**
 * Gives an environment a TTL, or moves the one it has: it now expires `ttlMs` from `now`.
 * Refuses baselines (they never expire) and namespaces that are not environments.
 */
export async function extendEnvironment(session: KubeSession, name: string, ttlMs: number, options: { now?: Date | undefined } = {}): Promise<{ expiresAt: string }> {
  const expiresAt = expiresAtAfter(options.now ?? new Date(), ttlMs);
  const ns = await readEnvironmentNamespace(session, name);
  if (ns.metadata?.labels?.[LABEL_BASELINE] === 'true') {
    throw new InvalidInputError(`The environment "${name}" is a baseline; baselines never expire.`, 'Give a TTL to the environments made from it instead.');
  }
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  try {
    await core.patchNamespace({ name, body: { metadata: { annotations: { [ANNOTATION_EXPIRES_AT]: expiresAt } } } }, mergePatch);
  } catch (error) {
    throw toTEnvError(error, session, `patch namespace ${name}`, `The environment "${name}"`);
  }
  return { expiresAt };
}

/**
 * Reads a namespace and checks that it is a T-Env environment (NotFoundError, or why T-Env leaves
 * it alone). `read` sends the request (sleep's counted, hooked and cancellable one, say).
 */
export async function readEnvironmentNamespace(
  session: KubeSession, name: string, read: () => Promise<k8s.V1Namespace> = () => session.kc.makeApiClient(k8s.CoreV1Api).readNamespace({ name }),
): Promise<k8s.V1Namespace> {
  let ns: k8s.V1Namespace;
  try {
    ns = await read();
  } catch (error) {
    if (isApiStatus(error, 404)) throw new NotFoundError(`The environment "${name}"`, 'Run "t env ls" to see the environments.');
    throw toTEnvError(error, session, `get namespace ${name}`);
  }
  const refusal = environmentRefusal(ns, ownNamespace());
  if (refusal) throw refusal;
  return ns;
}

/**
 * Deletes an environment's namespace and waits (by watching it) until it is gone.
 * Refuses namespaces without the T-Env label.
 */
export async function deleteEnvironment(session: KubeSession, name: string, options: { signal?: AbortSignal; onProgress?: (text: string) => void } = {}): Promise<void> {
  const ns = await readEnvironmentNamespace(session, name);
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  const watch = new k8s.Watch(session.kc);
  let request: AbortController | undefined;
  const gone = new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { request?.abort(); reject(new CancelledError(`Deleting "${name}"`)); };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const startWatch = (resourceVersion: string | undefined): void => {
      watch.watch('/api/v1/namespaces', { fieldSelector: `metadata.name=${name}`, resourceVersion },
        (phase) => { if (phase === 'DELETED') { options.signal?.removeEventListener('abort', onAbort); resolve(); } },
        (error: unknown) => {
          if (options.signal?.aborted) return;
          // A quiet watch times out; check whether it is gone already, else watch again.
          core.readNamespace({ name }).then((current) => startWatch(current.metadata?.resourceVersion), (e: unknown) => {
            if (isApiStatus(e, 404)) { options.signal?.removeEventListener('abort', onAbort); resolve(); } else reject(toTEnvError(error ?? e, session, `watch namespace ${name}`));
          });
        }).then((r) => { request = r; }, (e: unknown) => reject(toTEnvError(e, session, `watch namespace ${name}`)));
    };
    startWatch(ns.metadata?.resourceVersion);
  });
  try {
    await core.deleteNamespace({ name });
  } catch (error) {
    request?.abort();
    if (isApiStatus(error, 404)) return;
    throw toTEnvError(error, session, `delete namespace ${name}`);
  }
  options.onProgress?.(`Deleting environment ${name}: waiting for its resources to be removed…`);
  try {
    await gone;
  } finally {
    request?.abort();
  }
}

/** A one-shot snapshot of every environment (the CLI's `env ls`). */
export async function loadEnvironments(session: KubeSession): Promise<EnvironmentInfo[]> {
  const store = new EnvironmentStore(session);
  try {
    await store.start();
    return store.environments();
  } finally {
    await store.dispose();
  }
}
