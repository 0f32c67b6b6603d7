// T-Env's own log with every message sanitized and credentials redacted (core/sanitize.ts): what
// it records often quotes the cluster (server messages, annotations, okteto output) or a
// kubeconfig's exec plugin, and it is read in a terminal-like view.
import type * as vscode from 'vscode';
import { redactCredentials, sanitizeLines } from '../core/sanitize.ts';

const WRITERS = new Set<PropertyKey>(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

/** `channel`, whose writing methods sanitize a string first argument; everything else is the channel's own. */
export function sanitizedLog(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!WRITERS.has(property)) return method.bind(target);
      return (first: unknown, ...rest: unknown[]) => method.call(target, typeof first === 'string' ? sanitizeLines(redactCredentials(first)) : first, ...rest);
    },
  });
}
