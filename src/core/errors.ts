// Typed failures. Adapters turn raw failures (HTTP statuses, spawn errors, exit codes) into one
// of these; the VS Code layer and the CLI turn each into one actionable message.
// Messages never contain credentials: adapters pass only names, paths and statuses.
import { redactCredentials, sanitizeText, withoutUrlUserinfo } from './sanitize.ts';

/** What the user can do about an error; the UI maps each to a button, the CLI to a hint. */
export type ErrorAction = 'install' | 'openSettings' | 'showLog' | 'retry' | 'selectContext' | 'trust';

/**
 * Every kind of failure T-Env reports: stable, machine-readable (`--json`, MCP tool errors, tests),
 * and what the editor maps to its cluster states (vscode/connection.ts). A new kind is added here.
 */
export type ErrorKind =
  // input and local setup
  | 'invalid-input' | 'usage' | 'kubeconfig' | 'no-folder' | 'no-service' | 'untrusted'
  // the okteto CLI
  | 'cli-missing' | 'cli-failed'
  // talking to the cluster
  | 'unreachable' | 'unauthorized' | 'forbidden' | 'api' | 'timeout' | 'cancelled'
  // the objects
  | 'not-found' | 'exists' | 'conflict' | 'rejected' | 'not-environment' | 'protected-namespace' | 'not-baseline' | 'no-baseline'
  // overlays: not an overlay, a workload in dev mode; git could not list a change
  | 'not-overlay' | 'dev-mode' | 'git-failed'
  // the guard of agents' tools (src/mcp)
  | 'not-owner' | 'refused' | 'confirm-required';

export class TEnvError extends Error {
  /** Stable machine-readable kind, for `--json` and tests. */
  readonly kind: ErrorKind;
  /** One line telling the user what to do next. */
  readonly hint: string | undefined;
  readonly actions: readonly ErrorAction[];

  constructor(kind: ErrorKind, message: string, options: { hint?: string; actions?: readonly ErrorAction[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TEnvError';
    this.kind = kind;
    this.hint = options.hint;
    this.actions = options.actions ?? [];
  }
}

/** The input itself is wrong (a name, a schedule, a zone, a flag): nothing was changed. */
export class InvalidInputError extends TEnvError {
  constructor(message: string, hint?: string) {
    super('invalid-input', message, hint === undefined ? {} : { hint });
  }
}

/** No kubeconfig, a broken one, or a context that does not exist. */
export class KubeconfigError extends TEnvError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('kubeconfig', message, { hint: hint ?? 'Check KUBECONFIG or pick another context.', actions: ['selectContext', 'openSettings'], cause });
  }
}

/**
 * A server URL fit for a message: without the `user:password@` a kubeconfig may carry in it
 * (credentials never appear in messages).
 */
export function serverForDisplay(server: string): string {
  return withoutUrlUserinfo(server);
}

export class ClusterUnreachableError extends TEnvError {
  constructor(server: string, cause?: unknown) {
    super('unreachable', `Cannot reach the cluster at ${serverForDisplay(server)}.`, {
      hint: 'Check your network or VPN, or pick another context.', actions: ['retry', 'selectContext', 'showLog'], cause,
    });
  }
}

export class UnauthorizedError extends TEnvError {
  constructor(context: string, cause?: unknown) {
    super('unauthorized', `The cluster rejected your credentials (401) for context "${context}".`, {
      hint: 'Log in again or refresh the credentials in your kubeconfig.', actions: ['selectContext', 'showLog'], cause,
    });
  }
}

export class ForbiddenError extends TEnvError {
  /** e.g. "list namespaces" */
  readonly permission: string;
  constructor(permission: string, cause?: unknown) {
    super('forbidden', `Access denied: you may not ${permission}.`, {
      hint: `Ask your platform team for the right to ${permission}.`, actions: ['selectContext', 'showLog'], cause,
    });
    this.permission = permission;
  }
}

export class NotFoundError extends TEnvError {
  constructor(what: string, hint?: string) {
    super('not-found', `${what} does not exist.`, hint === undefined ? {} : { hint });
  }
}

export class ConflictError extends TEnvError {
  constructor(what: string, cause?: unknown) {
    super('conflict', `${what} was changed by someone else at the same time.`, { hint: 'Try again.', actions: ['retry'], cause });
  }
}

export class CancelledError extends TEnvError {
  constructor(what = 'The operation') {
    super('cancelled', `${what} was cancelled.`);
  }
}

/** The okteto CLI is missing or too old. */
export class CliMissingError extends TEnvError {
  constructor(message: string, hint: string) {
    super('cli-missing', message, { hint, actions: ['install', 'openSettings'] });
  }
}

/** The okteto CLI ran and failed; `output` holds its last lines. */
export class CliFailedError extends TEnvError {
  readonly exitCode: number | undefined;
  readonly output: string;
  constructor(message: string, exitCode: number | undefined, output: string) {
    super('cli-failed', message, { hint: 'See the terminal or the T-Env log for the full output.', actions: ['showLog'] });
    this.exitCode = exitCode;
    this.output = output;
  }
}

/**
 * Whether a value is a TEnvError. Checked by shape, not `instanceof`: the extension bundle and the
 * lazily loaded runtime bundle each carry their own copy of this class.
 */
export function isTEnvError(error: unknown): error is TEnvError {
  return error instanceof Error && error.name === 'TEnvError' && typeof (error as { kind?: unknown }).kind === 'string'
    && Array.isArray((error as { actions?: unknown }).actions);
}

export function isCancelled(error: unknown): boolean {
  return (isTEnvError(error) && error.kind === 'cancelled') || (error instanceof Error && error.name === 'AbortError');
}

/** What the CLI prints and an MCP tool error says: the first line of the message, and the hint. */
export function errorSummary(error: unknown): { message: string; hint: string | undefined } {
  // Messages may quote cluster text or an exec plugin's output: shown sanitized and redacted.
  const message = sanitizeText(redactCredentials(describeError(error).split('\n')[0]!));
  const hint = isTEnvError(error) && error.hint !== undefined ? sanitizeText(error.hint) : undefined;
  return { message, hint };
}

/** A one-line description of any thrown value, for messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Any thrown value as an Error, for callbacks and events that carry one. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
