// Extension activation cost outside VS Code: bundle sizes and the time to evaluate
// dist/extension.js with a minimal stand-in for the `vscode` module (the real in-host activation
// time is printed by the e2e suite), against requiring the runtime bundle it defers.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { median, round } from './stats.ts';

const root = path.resolve(import.meta.dirname, '..');

function requireTimeMs(file: string, stubVscode: boolean): number {
  // A fresh process per sample: require caches modules.
  const script = `
    const Module = require('node:module');
    ${stubVscode ? `const load = Module._load; Module._load = function (req, ...rest) { if (req === 'vscode') { const fakeVscodeForRequireTiming = {}; for (const k of ['TreeItem','EventEmitter','ThemeIcon','ThemeColor','MarkdownString','TreeItemCollapsibleState','StatusBarAlignment','ProgressLocation','ConfigurationTarget','Uri','window','workspace','commands','env']) fakeVscodeForRequireTiming[k] = class {}; return fakeVscodeForRequireTiming; } return load.call(this, req, ...rest); };` : ''}
    const t = performance.now(); require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`require ${file} failed: ${out.stderr}`);
  return Number(out.stdout);
}

export function benchActivation(samples: number): { extensionKb: number; runtimeKb: number; cliKb: number; extensionRequireMs: number; runtimeRequireMs: number } {
  const size = (f: string): number => round(fs.statSync(path.join(root, 'dist', f)).size / 1024, 0);
  const ext = Array.from({ length: samples }, () => requireTimeMs(path.join(root, 'dist', 'extension.js'), true));
  const rt = Array.from({ length: samples }, () => requireTimeMs(path.join(root, 'dist', 'runtime.js'), false));
  return { extensionKb: size('extension.js'), runtimeKb: size('runtime.js'), cliKb: size('cli.js'), extensionRequireMs: round(median(ext), 2), runtimeRequireMs: round(median(rt), 1) };
}
