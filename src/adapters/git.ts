// git, for what a developer changed: always through execa with argument arrays (never a shell),
// `-z` output (any file name survives), a bounded buffer, cancellable. Used by `t env changed`
// and `--changed`; the rules are in core/changed-services.ts.
import path from 'node:path';
import { execa } from 'execa';
import { CancelledError, CliMissingError, InvalidInputError, TEnvError } from '../core/errors.ts';

/** The most output read from one git command (a file list of a large change stays far below). */
const MAX_GIT_OUTPUT = 16 * 1024 * 1024;
const GIT_TIMEOUT_MS = 60_000;

export interface GitOptions {
  signal?: AbortSignal | undefined;
  /** The git binary (default `git` on PATH). */
  git?: string | undefined;
}

/**
 * Settings a checkout's own `.git/config` could use to make a read-only git command run a program
 * (the folder may come from an agent through `t mcp`): the fsmonitor hook runs on every index
 * refresh, an external diff and textconv drivers on a diff (clean filters: see gitChanges).
 * Given on the command line, they win over the repository's own.
 */
const NO_REPOSITORY_COMMANDS = ['-c', 'core.fsmonitor=false', '-c', 'diff.external=', '-c', 'core.quotePath=false'];

async function git(cwd: string, args: readonly string[], options: GitOptions): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const result = await execa(options.git ?? 'git', [...NO_REPOSITORY_COMMANDS, ...args], {
    cwd, reject: false, stdin: 'ignore', maxBuffer: MAX_GIT_OUTPUT, timeout: GIT_TIMEOUT_MS, stripFinalNewline: false,
    // Never prompt, never page, never read the user's locale-dependent messages.
    env: { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  if (result.isCanceled) throw new CancelledError(`git ${args[0] ?? ''}`);
  if (result.code === 'ENOENT' || result.code === 'EACCES') throw new CliMissingError('git could not be run.', 'Install git and make sure it is on PATH.');
  if (result.isMaxBuffer) throw new TEnvError('git-failed', `git ${args[0] ?? ''} printed more than ${MAX_GIT_OUTPUT / 1024 / 1024} MB.`);
  return { ok: !result.failed, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const nulList = (text: string): string[] => text.split('\0').filter(Boolean);

export interface GitChanges {
  /** The repository's root folder. */
  readonly root: string;
  /** The base ref the change is measured against. */
  readonly base: string;
  /** Changed files relative to the root, POSIX separators. */
  readonly files: readonly string[];
}

/**
 * The files changed in the repository holding `folder` since the merge-base of HEAD with the
 * first of `baseRefs` that exists: committed on the branch, staged, unstaged (both names of a
 * rename) and untracked files git does not ignore. Outside a repository, or when no base ref
 * exists, one actionable error.
 */
export async function gitChanges(folder: string, baseRefs: readonly string[], options: GitOptions = {}): Promise<GitChanges> {
  const top = await git(folder, ['rev-parse', '--show-toplevel'], options);
  if (!top.ok) throw new InvalidInputError(`${folder} is not inside a git repository.`, 'Run this in your service\'s git checkout (or pass -f with its okteto manifest).');
  const root = top.stdout.trim();
  let base: string | undefined;
  for (const ref of baseRefs) {
    if ((await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], options)).ok) { base = ref; break; }
  }
  if (base === undefined) {
    throw new InvalidInputError(`None of the base refs ${baseRefs.map((r) => `"${r}"`).join(', ')} exists in ${root}.`, 'Fetch it (git fetch origin main) or pass --base <ref>.');
  }
  const mergeBase = await git(root, ['merge-base', '--end-of-options', base, 'HEAD'], options);
  // A diff against the working tree runs the checkout's clean filters (.gitattributes + config):
  // every configured filter is overridden to nothing for the two listing commands.
  const filters = await git(root, ['config', '--null', '--name-only', '--get-regexp', '^filter\\.'], options);
  const noFilters = nulList(filters.stdout).flatMap((key) => ['-c', `${key}=${key.endsWith('.required') ? 'false' : ''}`]);
  if (!mergeBase.ok) throw new InvalidInputError(`HEAD and ${base} share no history in ${root}.`, 'Pass --base with a ref your branch was made from.');
  // Against the working tree: committed, staged and unstaged changes in one list; --no-renames lists both names.
  const [diff, untracked] = await Promise.all([
    git(root, [...noFilters, 'diff', '--no-ext-diff', '--no-textconv', '--name-only', '--no-renames', '-z', mergeBase.stdout.trim(), '--'], options),
    git(root, [...noFilters, 'ls-files', '--others', '--exclude-standard', '-z'], options),
  ]);
  if (!diff.ok || !untracked.ok) throw new TEnvError('git-failed', `git could not list the changes in ${root}: ${(diff.stderr || untracked.stderr).split('\n')[0] ?? ''}`);
  return { root, base, files: [...new Set([...nulList(diff.stdout), ...nulList(untracked.stdout)])].map((f) => f.split(path.sep).join('/')).sort() };
}
