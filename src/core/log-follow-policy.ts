// When a workload's container logs are (re)requested, free of I/O: which pods are the workload's,
// whether a container has a log yet, what to ask for next (the tail first, then everything since
// the last delivered line: core/log-lines.ts's LogCursor skips the repeats of a resume), what a
// follower does after a response ends or fails, and the backoff between reconnects.
// adapters/pod-logs.ts carries it out; adapters/pod-log-request.ts makes the requests.
import { podOwner } from './environment.ts';
import type { ContainerStatusLike, PodLike } from './environment.ts';
import type { WorkloadLookup } from './kinds.ts';

/** What one GET …/pods/<pod>/log asks for. */
export interface LogQuery {
  follow: boolean;
  /** The previous instance of the container (after a restart). */
  previous?: boolean;
  tailLines?: number | undefined;
  sinceTime?: string | undefined;
}

/**
 * The query parameters of a log request: always `timestamps=true` (the resume cursor needs them).
 * tailLines with sinceTime means the last tailLines of those since sinceTime, which only a
 * one-shot read asks for; a followed resume wants every line since.
 */
export function logQueryParams(container: string, query: LogQuery): [string, string][] {
  const params: [string, string][] = [['container', container], ['timestamps', 'true']];
  if (query.follow) params.push(['follow', 'true']);
  if (query.previous) params.push(['previous', 'true']);
  if (query.sinceTime !== undefined) params.push(['sinceTime', query.sinceTime]);
  if (query.tailLines !== undefined && (query.sinceTime === undefined || !query.follow)) params.push(['tailLines', String(query.tailLines)]);
  return params;
}

/**
 * The request for a follower's next response: the tail at first; after lines were delivered
 * (`sinceTime`, from the parser's cursor), everything since the last one; after an empty first
 * response (`opened`), the whole log, since everything in it is new. With tailLines 0 nothing was
 * shown on purpose, so an empty response proves nothing and the tail stays 0.
 */
export function nextLogQuery(sinceTime: string | undefined, opened: boolean, tailLines: number | undefined): LogQuery {
  if (sinceTime !== undefined) return { follow: true, sinceTime };
  if (opened && tailLines !== 0) return { follow: true };
  return { follow: true, tailLines };
}

/** Backoff between reconnects of a broken stream: initial, doubling up to max. */
export interface RetryDelay {
  initial: number;
  max: number;
}

export const DEFAULT_RETRY_DELAY_MS: RetryDelay = { initial: 500, max: 30_000 };

/** The delay after `delay` (doubled, at most `retry.max`). */
export function nextRetryDelay(delay: number, retry: RetryDelay): number {
  return Math.min(delay * 2, retry.max);
}

export type PodStatusLike = PodLike['status'];

export function containerStatus(status: PodStatusLike, container: string): ContainerStatusLike | undefined {
  return status?.containerStatuses?.find((c) => c.name === container);
}

/** Restarts of the container so far (0 when it has no status yet). */
export function restartCount(status: PodStatusLike, container: string): number {
  return containerStatus(status, container)?.restartCount ?? 0;
}

/** An instance of the container exists (running, exited, or crashed before): it has a log. */
export function hasLog(s: ContainerStatusLike | undefined): boolean {
  return s !== undefined && (s.state?.running !== undefined || s.state?.terminated !== undefined || s.restartCount > 0);
}

/** What changes when the container may have a (new) log to read: a follower waiting for it wakes. */
export function statusSignature(status: PodStatusLike, container: string): string {
  const s = containerStatus(status, container);
  const state = s?.state?.running ? 'running' : s?.state?.terminated ? 'terminated' : s?.state?.waiting ? 'waiting' : 'none';
  return `${status?.phase ?? ''}/${state}/${s?.restartCount ?? 0}`;
}

/**
 * A container that already restarted when first seen (e.g. crash-looping) shows its previous
 * instance's last lines once, unless no tail is wanted. Later restarts are followed live instead.
 */
export function showsPreviousInstance(restarts: number, tailLines: number | undefined): boolean {
  return restarts > 0 && tailLines !== 0;
}

/**
 * Where a follower goes next: stop (ended, with a line saying why), park (wait for the pod watch
 * to report a change of the container), retry (reconnect after the backoff delay), now (reconnect
 * at once).
 */
export type FollowStep = 'stop' | 'park' | 'retry' | 'now';

/** Not serving a log, or closed by the server: a running container is retried, else the follower waits. */
export function retryOrPark(status: PodStatusLike, container: string): 'retry' | 'park' {
  return containerStatus(status, container)?.state?.running ? 'retry' : 'park';
}

/**
 * A followed response ended without error: the pod finished (stop, with the exit code), or the
 * server closed the stream of a container still running as far as the watch knows (resume it).
 */
export function afterLogEnd(status: PodStatusLike, container: string): { step: 'stop'; notice: string } | { step: 'retry' | 'park' } {
  const phase = status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    const code = containerStatus(status, container)?.state?.terminated?.exitCode;
    return { step: 'stop', notice: `container exited${code === undefined ? '' : ` (exit code ${code})`}; stream ended` };
  }
  return { step: retryOrPark(status, container) };
}

/**
 * How a failed log request is taken. denied (401/403): give up on this stream; gone (404): the pod
 * no longer exists; idle: a followed response was silent too long, resume at once without alarming
 * the reader; not-serving (400): the container has no log yet (e.g. still being created); broken:
 * anything else (network, 5xx), reconnect with backoff.
 */
export type LogFailure = 'denied' | 'gone' | 'idle' | 'not-serving' | 'broken';

export function classifyLogFailure(httpStatus: number | undefined, idle: boolean): LogFailure {
  if (httpStatus === 401 || httpStatus === 403) return 'denied';
  if (httpStatus === 404) return 'gone';
  if (idle) return 'idle';
  if (httpStatus === 400) return 'not-serving';
  return 'broken';
}

/** The pod belongs to the workload: its owner (see podOwner) has the name, and the kind when one is given. */
export function isPodOf(pod: PodLike, workload: WorkloadLookup): boolean {
  const owner = podOwner(pod);
  return owner !== undefined && owner.name === workload.name && (workload.kind === undefined || owner.kind === workload.kind);
}

/** The workload's pods in name order, as a one-shot read prints them. */
export function podsOf<P extends PodLike>(pods: readonly P[], workload: WorkloadLookup): P[] {
  return pods.filter((p) => isPodOf(p, workload)).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** The key a pod is followed by: its uid, its name when it has none. */
export function podKey(pod: PodLike): string {
  return pod.metadata?.uid ?? pod.metadata?.name ?? '';
}

/** `Deployment api`, or `workload api` when the kind is not known. */
export function describeWorkload(w: WorkloadLookup): string {
  return w.kind ? `${w.kind} ${w.name}` : `workload ${w.name}`;
}
