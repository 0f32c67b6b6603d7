// Throwaway directories for e2e runs, deleted on interrupt too: workspace folders (the default one
// holds an okteto manifest, which activates the extension: `workspaceContains:okteto.yml`) and scratch dirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerTeardown } from './teardown.ts';

export const defaultWorkspaceFiles: Readonly<Record<string, string>> = {
  'okteto.yml': [
    'name: e2e',
    'dev:',
    '  api:',
    '    image: busybox',
    '    command: sh',
    '    sync:',
    '      - .:/usr/src/app',
    '',
  ].join('\n'),
  'README.md': '# T-Env e2e workspace\n',
};

export interface TempDir {
  readonly path: string;
  /** Deletes the directory; safe to call twice. */
  remove(): void;
}

export interface Workspace {
  readonly folder: string;
  /** Deletes the folder; safe to call twice. */
  remove(): void;
}

/** Creates `<tmpdir>/<prefix>XXXXXX`, deleted by `remove()` or when the process is interrupted. */
export function createTempDir(prefix: string): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const removeNow = () => fs.rmSync(dir, { recursive: true, force: true });
  const unregister = registerTeardown(`temp dir ${dir}`, () => Promise.resolve(removeNow()), removeNow);
  return {
    path: dir,
    remove: () => {
      removeNow();
      unregister();
    },
  };
}

/** Creates a temp workspace folder with `files` (relative path → contents). */
export function createWorkspace(files: Readonly<Record<string, string>> = defaultWorkspaceFiles): Workspace {
  const dir = createTempDir('t-env-e2e-workspace-');
  for (const [name, contents] of Object.entries(files)) {
    const file = path.join(dir.path, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
  }
  return { folder: dir.path, remove: () => dir.remove() };
}
