// Bundles the in-host suites for the extension host: host/index.ts (with mocha inside) and one
// CommonJS file per host/*.test.ts, `vscode` left external for the extension host to provide.
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from './paths.ts';

const hostDir = path.join(repoRoot, 'test', 'e2e', 'host');

/** Writes the bundles into `outDir` and returns the path of the entry, `<outDir>/index.js`. */
export async function bundleHostSuites(outDir: string): Promise<string> {
  const suites = fs.readdirSync(hostDir).filter((file) => file.endsWith('.test.ts')).sort();
  if (suites.length === 0) throw new Error(`no *.test.ts suites in ${hostDir}`);
  await esbuild.build({
    entryPoints: [path.join(hostDir, 'index.ts'), ...suites.map((file) => path.join(hostDir, file))],
    outdir: outDir,
    outbase: hostDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    // Mocha is bundled in: nothing next to the bundle could resolve it at run time.
    external: ['vscode'],
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'warning',
    // Mocha's parallel mode resolves worker files at run time; the harness runs serially.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  return path.join(outDir, 'index.js');
}
