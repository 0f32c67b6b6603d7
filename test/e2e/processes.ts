// Child processes for the harness: run a command to completion with its output in a log file, and
// kill a whole process tree (its process group plus any descendant that left the group).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { log, secondsSince } from './log.ts';
import { registerTeardown } from './teardown.ts';

/**
 * Variables an outer `npm run …` exports to its children (npm_config_*, npm_lifecycle_*,
 * npm_package_*, npm_execpath, npm_node_execpath, INIT_CWD …), which a nested npm reads back as its
 * own configuration: `npm_config_user_agent` names the outer Node (20 on a Debian machine), so
 * code-server's postinstall refuses to install under the Node 24 that really runs it.
 */
const outerNpmVariable = /^npm_|^INIT_CWD$/i;

/**
 * `env` without the outer npm's variables: the environment for every nested npm or node tool
 * install (and for code-server), so each describes the Node that really runs it.
 */
export function withoutOuterNpm(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (!outerNpmVariable.test(key)) clean[key] = value;
  }
  return clean;
}

/** Children of every process, by parent pid, from /proc (Linux). */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return children;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Format: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  return children;
}

/** Pids of the direct children of `pid`. */
export function children(pid: number): number[] {
  return childrenByParent().get(pid) ?? [];
}

/** Pids of all descendants of `pid`. */
export function descendants(pid: number): number[] {
  const table = childrenByParent();
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of table.get(queue.shift()!) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

/** The executable name of a process (`/proc/<pid>/comm`), or undefined once it is gone. */
export function processName(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (a zombie counts until its parent reaps it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends `signal` to the process group led by `pid` (spawned with `detached: true`) and to every
 * descendant, including ones that started their own group. Synchronous, so it also works in an
 * `exit` handler.
 */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  const tree = descendants(pid);
  for (const target of [-pid, pid, ...tree]) {
    try {
      process.kill(target, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Resolves once no process of the group `pgid` is left (grandchildren outlive a killed parent), or after `ms`. */
export async function waitForGroupExit(pgid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return; // ESRCH: the group is empty
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves when `child` has exited, or after `ms` with false. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM to the tree, then SIGKILL to whatever is left after `graceMs`. */
export async function stopTree(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const tree = [pid, ...descendants(pid)];
  killTree(pid, 'SIGTERM');
  await waitForExit(child, graceMs);
  const deadline = Date.now() + graceMs;
  while (tree.some(isAlive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  killTree(pid, 'SIGKILL');
  for (const straggler of tree) {
    try {
      process.kill(straggler, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export interface RunLoggedOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** All output goes here (appended); the last lines are quoted in the error on failure. */
  readonly logFile: string;
  /** Names the step in progress lines, e.g. `npm i code-server`. */
  readonly label: string;
  /** Progress line interval while the command runs. */
  readonly heartbeatMs?: number;
}

/**
 * Runs a command to completion, output to `logFile`, a progress line every `heartbeatMs`.
 * Rejects with the exit status and the tail of the log. Killed with its tree on interrupt.
 */
export async function runLogged(command: string, args: readonly string[], options: RunLoggedOptions): Promise<void> {
  const start = Date.now();
  const out = fs.openSync(options.logFile, 'a');
  fs.writeSync(out, `\n$ ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  const unregister = registerTeardown(options.label, () => stopTree(child), () => {
    if (child.pid !== undefined) killTree(child.pid, 'SIGKILL');
  });
  const heartbeat = setInterval(() => {
    log(options.label, `still running (${secondsSince(start)}): ${lastLine(options.logFile)}`);
  }, options.heartbeatMs ?? 15_000);
  try {
    const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // Its children (a compiler killed along with npm) may still be writing into cwd.
    if (child.pid !== undefined) await waitForGroupExit(child.pid, 10_000);
    if (status.code !== 0) {
      throw new Error(
        `${options.label} failed (exit ${status.code ?? status.signal}) after ${secondsSince(start)}; ` +
        `full log: ${options.logFile}\n${tail(options.logFile, 30)}`,
      );
    }
    log(options.label, `done in ${secondsSince(start)}`);
  } finally {
    clearInterval(heartbeat);
    unregister();
  }
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** The last line that says something (not a compiler diagnostic's source excerpt). */
function lastLine(file: string): string {
  const line = tail(file, 40).split('\n').reverse().find((l) => l.trim() !== '' && !/^\s*(\d+\s*)?[|^~]/.test(l))?.trim() ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** Runs a command with the terminal as its stdio (build steps whose output the user should see); rejects on failure. */
export async function runInherited(command: string, args: readonly string[], options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }): Promise<void> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'inherit' });
  const unregister = registerTeardown(`${command} ${args[0] ?? ''}`, () => stopTree(child), () => {
    if (child.pid !== undefined) killTree(child.pid, 'SIGKILL');
  });
  try {
    const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if (status.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${status.code ?? status.signal})`);
  } finally {
    unregister();
  }
}
