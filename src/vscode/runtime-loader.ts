// Loads dist/runtime.js (client-node, execa, chokidar) on first use, never during activation.
import * as path from 'node:path';
import type * as Runtime from '../adapters/runtime.ts';

export type RuntimeModule = typeof Runtime;

let loaded: RuntimeModule | undefined;

export function runtime(): RuntimeModule {
  // A computed path keeps esbuild from bundling the runtime into the extension bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(path.join(__dirname, 'runtime.js')) as RuntimeModule;
  return loaded;
}
