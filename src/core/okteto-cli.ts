// Talking to the okteto CLI, as plain data: the argument arrays of `okteto up`/`down` (one element
// per argument, never a shell string), reading what it prints (colours, its ` x  <message>` error
// lines, the last lines kept) and the words for an `up` that failed. No I/O: adapters/okteto-cli.ts
// runs the binary, adapters/okteto-session-watcher.ts follows `up`.
import { InvalidInputError } from './errors.ts';

/** How many of okteto's last output lines a failure carries. */
export const OUTPUT_TAIL_LINES = 20;

/** What `okteto up`/`down` act on. */
export interface DevTarget {
  service: string;
  /** Path of the manifest (`-f`). */
  manifest: string;
  namespace: string;
  /** Kube context (`-c`); the kubeconfig's current one when absent. */
  context?: string | undefined;
  /** Working directory for okteto: the original manifest's folder when `manifest` is a derived one. */
  cwd?: string | undefined;
}

/** `up <service> -f <manifest> -n <namespace> [-c <context>]`, one array element per argument. */
export function oktetoUpArgs(target: DevTarget): string[] {
  return ['up', checkPositional(target.service, 'service'), ...targetFlags(target)];
}

/** `down <service> -f <manifest> -n <namespace> [-c <context>] [-v]`. */
export function oktetoDownArgs(target: DevTarget, options: { volumes?: boolean } = {}): string[] {
  return ['down', checkPositional(target.service, 'service'), ...targetFlags(target), ...(options.volumes ? ['-v'] : [])];
}

function targetFlags(target: DevTarget): string[] {
  return ['-f', target.manifest, '-n', checkPositional(target.namespace, 'namespace'), ...(target.context ? ['-c', target.context] : [])];
}

/** A value starting with `-` would be read as a flag: Kubernetes names never do. */
function checkPositional(value: string, what: string): string {
  if (value === '' || value.startsWith('-')) throw new InvalidInputError(`"${value}" is not a valid ${what} name.`);
  return value;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

/** `text` without okteto's colour and OSC escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** `ms` as seconds for a message: `5` for 5000, `1.5` for 1500. */
export function secondsText(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1);
}

/** The last `n` non-blank lines of `text`. */
export function lastLines(text: string, n: number): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-n);
}

/** The message of okteto's last ` x  <message>` line (its error format), if there is one. */
export function oktetoErrorMessage(output: string | readonly string[]): string | undefined {
  const lines = typeof output === 'string' ? output.split(/\r?\n/) : output;
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^\s*x\s+(\S.*)$/.exec(stripAnsi(lines[i]!));
    if (match) return match[1]!.trim();
  }
  return undefined;
}

/**
 * The last lines of a running process's output, fed in chunks as they come: colours are stripped
 * per whole line (an escape sequence may span two chunks), blank lines skipped, and at most `keep`
 * lines held, so a long `okteto up` costs bounded memory.
 */
export class OutputTail {
  private readonly keep: number;
  private readonly lines: string[] = [];
  private partial = '';

  constructor(keep = 200) {
    this.keep = keep;
  }

  push(text: string): void {
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.map(stripAnsi).filter((l) => l.trim() !== ''));
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
  }

  /** The last `n` lines, the unfinished one included. */
  last(n = OUTPUT_TAIL_LINES): string[] {
    return [...this.lines, ...(this.partial.trim() ? [stripAnsi(this.partial)] : [])].slice(-n);
  }
}

/**
 * Why `okteto up` failed. crashed: okteto.pid names a dead process; exited: okteto ended before
 * ready; timeout: not ready in time; failed: the state file said so; hangup: its terminal was
 * closed (SIGHUP), leaving dev mode on in the cluster.
 */
export type OktetoFailureReason = 'crashed' | 'exited' | 'timeout' | 'failed' | 'hangup';

/** What is known when an `okteto up` process ended before it was ready. */
export interface UpEnd {
  /** The label of the last state it wrote (see oktetoStateLabel); undefined: it wrote none. */
  stateLabel: string | undefined;
  /** Ended by SIGHUP: its terminal was closed. */
  hangup: boolean;
  /** Its pid file names a dead process: it died without cleaning up. */
  crashed: boolean;
  pid: number | undefined;
  exitCode: number | undefined;
  lastLines: readonly string[];
}

/** The reason and one message for an `up` that ended before ready; okteto's own error line wins. */
export function upEndedFailure(end: UpEnd): { reason: OktetoFailureReason; message: string } {
  const where = end.stateLabel !== undefined ? ` while ${end.stateLabel}` : ' before it started';
  if (end.hangup) return { reason: 'hangup', message: `okteto up was closed (SIGHUP)${where}: dev mode left running; Stop Dev to restore.` };
  const said = oktetoErrorMessage(end.lastLines);
  const code = end.exitCode === undefined ? '' : ` (exit code ${end.exitCode})`;
  const message = said ? `okteto up failed${where}: ${said}`
    : end.crashed ? `okteto up (pid ${end.pid}) stopped unexpectedly${where}.`
    : `okteto up exited${where}${code}.`;
  return { reason: end.crashed ? 'crashed' : 'exited', message };
}

/** The message for a `failed` state file, with the text okteto wrote after `failed:` when there is one. */
export function upFailedStateMessage(message: string | undefined): string {
  return message ? `okteto up failed: ${message}` : 'okteto up failed.';
}

/** The message for an `up` not ready within `timeoutMs`; `stateLabel` is its last state, if any. */
export function upTimeoutMessage(timeoutMs: number, stateLabel: string | undefined): string {
  const last = stateLabel !== undefined ? `last state: ${stateLabel}` : 'it never reported a state';
  return `okteto up was not ready after ${secondsText(timeoutMs)} s (${last}).`;
}
