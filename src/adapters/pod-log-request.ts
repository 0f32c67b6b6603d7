// One pod log request: GET …/pods/<pod>/log over HTTP/1.1, authenticated by client-node, read
// chunk by chunk with backpressure, and its failures told apart (the API server's status, a
// silent connection, an abort).
//
// Log requests are made here rather than through client-node's `Log`: that class pipes an
// internal stream whose abort error nobody handles, and turns every non-API failure into a
// generic 500. The GET is made with node:https, authenticated by client-node's own
// applyToHTTPSOptions (what it uses for exec and port-forward: CA, client certificate, token or
// exec plugin, proxy agent). It gives typed errors, clean aborts and backpressure, and over
// HTTP/1.1 it reads a log 1.5-2x faster than undici's HTTP/2 (measured on the local control plane).
import http from 'node:http';
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { logQueryParams } from '../core/log-follow-policy.ts';
import type { LogQuery } from '../core/log-follow-policy.ts';
import { statusMessage } from './kube.ts';
import type { KubeSession } from './kube.ts';

/** The error of a followed response that stayed silent for idleTimeoutMs. */
export class LogIdleTimeoutError extends Error {
  readonly code = 'LOG_IDLE_TIMEOUT';
  constructor(ms: number) {
    super(`The log stream was silent for ${ms} ms.`);
    this.name = 'LogIdleTimeoutError';
  }
}

/**
 * GET …/pods/<pod>/log?timestamps=true. Calls `onOpen` on a 200, then `onChunk` per body chunk
 * (awaiting a returned promise: backpressure). Resolves when the response ends; rejects with an
 * ApiException for a non-200 status, a LogIdleTimeoutError, an AbortError, or the network error.
 */
export async function readPodLog(
  session: KubeSession, namespace: string, pod: string, container: string, query: LogQuery,
  signal: AbortSignal, onOpen: () => void, onChunk: (chunk: Buffer) => void | Promise<void>, idleTimeoutMs = 300_000,
): Promise<void> {
  const url = new URL(`${session.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`);
  for (const [name, value] of logQueryParams(container, query)) url.searchParams.set(name, value);
  const options: https.RequestOptions = {};
  await session.kc.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  let idle = false;
  let req: http.ClientRequest | undefined;
  try {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req = (url.protocol === 'http:' ? http : https).request(url, { ...options, method: 'GET', signal }, resolve);
      req.on('error', reject);
      // Socket inactivity, before or during the body: a quiet log, or a dead connection.
      req.setTimeout(idleTimeoutMs, () => {
        idle = true;
        req?.destroy(new LogIdleTimeoutError(idleTimeoutMs));
      });
      req.end();
    });
    if (response.statusCode !== 200) {
      let text = '';
      response.setEncoding('utf8');
      for await (const part of response) text += part as string;
      const status = response.statusCode ?? 0;
      throw new k8s.ApiException(status, statusMessage(text) ?? `HTTP ${status}`, text, {});
    }
    onOpen();
    for await (const chunk of response) {
      const pending = onChunk(chunk as Buffer);
      if (pending) await pending;
    }
  } catch (error) {
    // Destroying the request surfaces in the response as a bare "aborted": say what happened.
    if (idle && !signal.aborted) throw new LogIdleTimeoutError(idleTimeoutMs);
    throw error;
  } finally {
    req?.destroy();
  }
}

/** The API server's own words for a refused log request (e.g. "container … is waiting to start"). */
export function serverMessage(error: unknown): string | undefined {
  return error instanceof k8s.ApiException && typeof error.body === 'string' ? statusMessage(error.body) : undefined;
}

/** The HTTP status of a refused request; undefined for a network error, a timeout or an abort. */
export function httpStatus(error: unknown): number | undefined {
  return error instanceof k8s.ApiException ? error.code : undefined;
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
