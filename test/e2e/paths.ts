// Where the e2e harness reads and writes: the repo, its artifacts and vsix, and the cache outside the repo.
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** Screenshots and logs of e2e runs; gitignored. */
export const artifactsDir = path.join(repoRoot, '.test-artifacts');

/** Where `npm run package` writes the extension. */
export const defaultVsixPath = path.join(repoRoot, 'dist-vsix', 't-env.vsix');

/** The repo's own Node 24 (the `node` devDependency); npm scripts run on it. */
export const repoNode = path.join(repoRoot, 'node_modules', '.bin', 'node');

/** Per-user cache for big downloads, never inside the repo: `$T_ENV_CACHE`, else `$XDG_CACHE_HOME/t-env`, else `~/.cache/t-env`. */
export function cacheRoot(): string {
  const explicit = process.env['T_ENV_CACHE'];
  if (explicit) return path.resolve(explicit);
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), '.cache'), 't-env');
}
