// The okteto manifest on disk: finding it in a workspace folder (the CLI's own names, or the
// tenv.manifestPath setting), reading it with a size bound, and writing the dev-only copy okteto is
// handed on a plain cluster. Parsing and the rules are core/okteto-manifest.ts.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { devOnlyManifest, MANIFEST_NAMES, MAX_MANIFEST_BYTES, parseOktetoManifest } from '../core/okteto-manifest.ts';
import type { OktetoManifest } from '../core/okteto-manifest.ts';

/**
 * The manifest for a workspace folder: `override` (the `tenv.manifestPath` setting, relative to
 * the folder or absolute) when given, else the first of the CLI's own names that exists.
 */
export async function findManifest(folder: string, override?: string): Promise<string> {
  if (override) {
    const file = path.resolve(folder, override);
    if (!(await isFile(file))) {
      throw new NotFoundError(`The okteto manifest "${file}" (setting tenv.manifestPath)`, 'Fix the tenv.manifestPath setting or clear it to use okteto.yml.');
    }
    return file;
  }
  for (const name of MANIFEST_NAMES) {
    const file = path.join(folder, name);
    if (await isFile(file)) return file;
  }
  throw new NotFoundError(`An okteto manifest in ${folder} (${MANIFEST_NAMES.join(', ')})`,
    'Create okteto.yml with a dev section, or set tenv.manifestPath.');
}

/** Reads and parses a manifest; errors name `displayName` (default: the path) and the line. */
export async function loadManifest(file: string, displayName = file): Promise<OktetoManifest> {
  let text: string;
  try {
    // Bounded before reading: a wrong tenv.manifestPath may point at a huge file.
    const size = (await fsp.stat(file)).size;
    if (size > MAX_MANIFEST_BYTES) {
      throw new InvalidInputError(`${displayName}: the okteto manifest is ${(size / 1024 / 1024).toFixed(1)} MB, over the ${MAX_MANIFEST_BYTES / 1024 / 1024} MB limit.`,
        'Point tenv.manifestPath (or -f) at the okteto manifest itself.');
    }
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(`${displayName}: cannot read the okteto manifest (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  return parseOktetoManifest(text, displayName);
}

/** A dev-only manifest written for okteto (see devOnlyManifest); `remove()` deletes it. */
export interface DerivedManifest {
  path: string;
  remove(): Promise<void>;
}

/**
 * Writes the dev-only manifest okteto needs when `manifest` has platform sections: in a private
 * temporary folder (0700, the file 0600), outside the workspace so that nothing shows up in git
 * or in okteto's own sync. Undefined when okteto can read `file` as it is.
 */
export async function writeDerivedManifest(manifest: OktetoManifest, file: string): Promise<DerivedManifest | undefined> {
  const text = devOnlyManifest(manifest, path.dirname(path.resolve(file)));
  if (text === undefined) return undefined;
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 't-env-okteto-'));
  const derived = path.join(dir, path.basename(file).endsWith('.yaml') ? 'okteto.yaml' : 'okteto.yml');
  await fsp.writeFile(derived, text, { mode: 0o600 });
  return { path: derived, remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fsp.stat(file)).isFile();
  } catch {
    return false;
  }
}
