// Which okteto services a change touches (`t env changed`, `--changed`). The contract (README,
// "Overlays"):
// - Changed files: those that differ between the merge-base of HEAD with the base ref and the
//   working tree (committed on the branch or not; both names of a rename), plus untracked files git
//   does not ignore. The base ref: `--base`, else the baseline's `t-env.dev/git-ref`, else
//   `origin/main`, else `main`.
// - A file belongs to a service when it lies under the service's `build.<svc>.context` or under a
//   local path of its `dev.<svc>.sync`, both relative to the manifest's folder. A service without
//   an explicit context claims no file through its build (a missing context would be the whole
//   repository). A file under several services belongs to each; one under none is `unmapped`.
import path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { InvalidInputError } from './errors.ts';
import type { OktetoManifest } from './okteto-manifest.ts';

/** Base refs tried in order when none is given. */
export function baseRefCandidates(explicit: string | undefined, baselineGitRef: string | undefined): string[] {
  if (explicit) return [explicit];
  return [...new Set([baselineGitRef, 'origin/main', 'main'].filter((r): r is string => Boolean(r)))];
}

/**
 * `build.<svc>.context` of each service of an okteto manifest. okteto pkg/model/build.go
 * (`BuildInfo.UnmarshalYAML`) also takes the short form `build: {<svc>: <context>}`.
 */
export function buildContexts(text: string): Map<string, string> {
  const contexts = new Map<string, string>();
  const doc = parseDocument(text);
  const build = isMap(doc.contents) ? doc.contents.get('build', true) : undefined;
  if (!isMap(build)) return contexts;
  for (const pair of build.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (!name) continue;
    const value = pair.value;
    const context = isScalar(value) ? value.value : isMap(value) ? value.get('context') : undefined;
    if (typeof context === 'string' && context !== '') contexts.set(name, context);
  }
  return contexts;
}

export interface ServiceRoots {
  readonly name: string;
  /** Folders relative to the repository root, POSIX separators; '' is the whole repository. */
  readonly roots: readonly string[];
}

/** The local side of an okteto `local:remote` sync entry (a Windows drive letter stays with it). */
function syncLocal(entry: string): string {
  const at = entry.lastIndexOf(':');
  return at <= 1 ? entry : entry.slice(0, at);
}

/**
 * The folders each service owns, relative to the repository root. `manifestDir` is the manifest's
 * folder relative to the repository root ('' at the root). Paths leaving the repository are refused.
 */
export function serviceRoots(manifest: OktetoManifest, contexts: ReadonlyMap<string, string>, manifestDir: string): ServiceRoots[] {
  const roots = new Map<string, Set<string>>();
  const addRoot = (service: string, local: string, what: string): void => {
    const joined = path.posix.normalize(path.posix.join(manifestDir.split(path.sep).join('/'), local.split('\\').join('/')));
    if (path.posix.isAbsolute(local) || joined === '..' || joined.startsWith('../')) {
      throw new InvalidInputError(`${what} of ${service} ("${local}") lies outside the git repository.`, 'Point it at a folder of the repository, relative to the okteto manifest.');
    }
    const root = joined === '.' ? '' : joined.replace(/\/$/, '');
    roots.set(service, (roots.get(service) ?? new Set()).add(root));
  };
  for (const [service, context] of contexts) addRoot(service, context, 'The build context');
  for (const dev of manifest.dev) for (const entry of dev.sync) addRoot(dev.name, syncLocal(entry), 'A sync folder');
  return [...roots].map(([name, r]) => ({ name, roots: [...r].sort() })).sort((a, b) => a.name.localeCompare(b.name));
}

export interface ChangedServices {
  readonly base: string;
  readonly services: readonly { readonly name: string; readonly files: readonly string[] }[];
  readonly unmapped: readonly string[];
}

/** The changed files (repository-relative, POSIX) of each service, and those of none. */
export function mapChangedFiles(base: string, files: readonly string[], services: readonly ServiceRoots[]): ChangedServices {
  const under = (file: string, root: string): boolean => root === '' || file === root || file.startsWith(`${root}/`);
  const sorted = [...new Set(files)].sort();
  return {
    base,
    services: services.map((s) => ({ name: s.name, files: sorted.filter((f) => s.roots.some((r) => under(f, r))) })).filter((s) => s.files.length > 0),
    unmapped: sorted.filter((f) => !services.some((s) => s.roots.some((r) => under(f, r)))),
  };
}
