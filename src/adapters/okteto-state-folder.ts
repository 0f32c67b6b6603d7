// ~/.okteto, where `okteto up` keeps each session: <namespace>/<service>/okteto.state, okteto.pid
// and okteto.log. Finding the folder as the CLI does, reading what a session left there, and
// stopping a running `up` through its pid.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CancelledError } from '../core/errors.ts';
import { parseOktetoState } from '../core/okteto-manifest.ts';
import type { OktetoState } from '../core/okteto-manifest.ts';

/** `<home>/.okteto/<namespace>/<service>`: where `okteto up` keeps okteto.state, okteto.pid, okteto.log. */
export function stateDir(home: string, namespace: string, service: string): string {
  return path.join(home, '.okteto', namespace, service);
}

/** The service's folder as the CLI computes it: OKTETO_FOLDER, else OKTETO_HOME or HOME + `.okteto`. */
export function sessionDir(namespace: string, service: string, env: NodeJS.ProcessEnv = process.env): string {
  const folder = env['OKTETO_FOLDER'];
  if (folder) return path.join(folder, namespace, service);
  return stateDir(env['OKTETO_HOME'] ?? env['HOME'] ?? os.homedir(), namespace, service);
}

/** Whether a process exists (EPERM: it does, but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in an okteto.pid file; undefined when there is none or it is not a pid. */
export async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await fsp.readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The last `lines` non-blank lines of a file (okteto.log); none when it cannot be read. */
export async function tailFile(file: string, lines: number): Promise<string[]> {
  try {
    const text = await fsp.readFile(file, 'utf8');
    return text.split('\n').filter((l) => l.trim() !== '').slice(-lines);
  } catch {
    return [];
  }
}

/** What is left of an `okteto up` session on disk. */
export interface OktetoSession {
  namespace: string;
  service: string;
  dir: string;
  state: OktetoState | undefined;
  /** The text after `failed:`, if any. */
  message: string | undefined;
  /** When the state file was last written. */
  updatedAt: Date | undefined;
  pid: number | undefined;
  /** The pid in okteto.pid is a running process: `okteto up` is still going. */
  alive: boolean;
}

/**
 * Reads a session's state and pid, e.g. to re-attach to a running `okteto up` after a VS Code
 * reload (then watch it with `new OktetoSessionWatcher({ ..., pid })`). Undefined when there is
 * neither a state file nor a pid file.
 */
export async function readSession(namespace: string, service: string, options: { env?: NodeJS.ProcessEnv; home?: string } = {}): Promise<OktetoSession | undefined> {
  const dir = options.home ? stateDir(options.home, namespace, service) : sessionDir(namespace, service, options.env);
  const pid = await readPid(path.join(dir, 'okteto.pid'));
  let text: string | undefined;
  let updatedAt: Date | undefined;
  try {
    const file = path.join(dir, 'okteto.state');
    [text, updatedAt] = await Promise.all([fsp.readFile(file, 'utf8'), fsp.stat(file).then((s) => s.mtime)]);
  } catch { /* no state file */ }
  if (text === undefined && pid === undefined) return undefined;
  const parsed = text === undefined ? undefined : parseOktetoState(text);
  return {
    namespace, service, dir, pid, updatedAt,
    state: parsed?.state, message: parsed?.message,
    alive: pid !== undefined && isProcessAlive(pid),
  };
}

/**
 * Stops a running `okteto up` of this dev name before `okteto down`. While `up` is still
 * starting, a `down` succeeds but `up` reconnects and puts the dev copy, the scaled-down original
 * and its secret back (okteto cmd/up/up.go), so `up` goes first: SIGINT, which okteto handles by
 * removing its pid file and exiting 0; then the wait for that pid file to go. SIGKILL after
 * `timeoutMs` (default 10 s). Returns what it found: no running `up`, stopped, or killed.
 */
export async function stopUp(namespace: string, devName: string, options: { env?: NodeJS.ProcessEnv; home?: string; timeoutMs?: number; signal?: AbortSignal | undefined } = {}): Promise<'none' | 'stopped' | 'killed'> {
  const session = await readSession(namespace, devName, options);
  if (!session?.alive || session.pid === undefined) return 'none';
  const pid = session.pid;
  const pidFile = path.join(session.dir, 'okteto.pid');
  const gone = (): boolean => !fs.existsSync(pidFile) || !isProcessAlive(pid);
  const wait = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (options.signal?.aborted) throw new CancelledError('Stop Dev');
      if (gone()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return gone();
  };
  try { process.kill(pid, 'SIGINT'); } catch { return 'stopped'; }
  if (await wait(options.timeoutMs ?? 10_000)) return 'stopped';
  try { process.kill(pid, 'SIGKILL'); } catch { /* ended meanwhile */ }
  await wait(2000);
  return 'killed';
}
