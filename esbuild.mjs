// Builds the extension and the `t` CLI into CommonJS bundles for Node.
//   node esbuild.mjs               development build (sourcemaps, not minified)
//   node esbuild.mjs --production  minified, with sourcemaps
//   node esbuild.mjs --watch       rebuild on change
// The extension bundle (dist/extension.js) holds only the wiring and the vscode layer; the
// Kubernetes, okteto and file-watching adapters (client-node, execa, chokidar) live in
// dist/runtime.js, loaded on first use, so activation stays cheap (sizes and require times: README,
// Performance, measured by `npm run bench`).
import * as esbuild from 'esbuild';
import fs from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: production,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'info',
  legalComments: 'none',
  // ESM-only packages use import.meta.url; give it a CommonJS meaning.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  external: ['vscode'],
};

const builds = [
  { ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { runtime: 'src/adapters/runtime.ts' }, outdir: 'dist' },
  {
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node\n' + common.banner.js },
  },
];

fs.rmSync('dist', { recursive: true, force: true });
if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  fs.chmodSync('dist/cli.js', 0o755);
}
