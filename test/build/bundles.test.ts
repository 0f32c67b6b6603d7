// The production build: both bundles load on Node 24 with their ESM-only dependencies inside,
// the extension bundle stays light, the CLI behaves, and the .vsix holds only what it should.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import type * as Runtime from '../../src/adapters/runtime.ts';
import { mcpLaunch } from '../../src/core/mcp-launch.ts';
import { freePort } from '../cluster/cluster.ts';

const root = path.resolve(new URL('../..', import.meta.url).pathname);
const dist = (f: string): string => path.join(root, 'dist', f);
const require = createRequire(import.meta.url);

describe('bundles', () => {
  it('runtime bundle loads client-node, execa and chokidar as CommonJS and works', () => {
    const runtime = require(dist('runtime.js')) as typeof Runtime;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-bundle-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: x}\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\n- name: b\n  context: {cluster: c, user: u}\n');
    assert.deepEqual(runtime.listContexts({ kubeconfig: file }), { contexts: ['a', 'b'], current: 'a' });
    assert.equal(runtime.loadKubeConfig({ kubeconfig: file, context: 'b' }).context, 'b');
    assert.equal(typeof runtime.EnvironmentStore, 'function');
    fs.rmSync(dir, { recursive: true });
  });

  it('extension bundle keeps the heavy dependencies out of activation', () => {
    const text = fs.readFileSync(dist('extension.js'), 'utf8');
    assert.ok(text.length < 200_000, `extension.js is ${text.length} bytes`);
    const runtime = fs.readFileSync(dist('runtime.js'), 'utf8');
    // Strings that survive minification: undici (client-node's HTTP stack) and client-node's API paths.
    for (const heavy of ['undici', '/apis/apps/v1/']) {
      assert.ok(runtime.includes(heavy), `marker ${heavy} is in runtime.js`);
      assert.ok(!text.includes(heavy), `extension.js contains ${heavy}`);
    }
    assert.ok(text.includes('runtime.js'), 'loads the runtime bundle lazily');
  });

  it('the CLI bundle prints help and version, and rejects unknown commands with exit 2', () => {
    const help = spawnSync(process.execPath, [dist('cli.js'), '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: t <command> \[options\]$/m);
    assert.match(help.stdout, /env ls/);
    const version = spawnSync(process.execPath, [dist('cli.js'), '--version'], { encoding: 'utf8' });
    assert.equal(version.stdout.trim(), pkg.version);
    const bad = spawnSync(process.execPath, [dist('cli.js'), 'nosuch'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr.split('\n')[0]!, /^error: Unknown command "nosuch"\.$/);
    assert.match(bad.stderr.split('\n')[1]!, /^hint: /);
    const flag = spawnSync(process.execPath, [dist('cli.js'), 'env', 'ls', '--bogus'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /Unknown option '--bogus'/);
    const sub = spawnSync(process.execPath, [dist('cli.js'), 'env', 'create', '--help'], { encoding: 'utf8' });
    assert.equal(sub.status, 0);
    assert.match(sub.stdout, /--awake-hours <spec>/);
    assert.ok(fs.readFileSync(dist('cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n'));
  });

  it('the CLI bundle serves MCP the way the editor starts it (its Node, ELECTRON_RUN_AS_NODE): initialize, tools/list, a tool error', async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const launch = mcpLaunch(process.execPath, dist('cli.js'), undefined, 'fay');
    const client = new Client({ name: 'bundle-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ ...launch, env: { ...launch.env, PATH: process.env['PATH'] ?? '', KUBECONFIG: '/nonexistent/kubeconfig' }, stderr: 'pipe' }));
    try {
      assert.equal(client.getServerVersion()?.name, 't-env');
      assert.equal(client.getServerVersion()?.version, pkg.version);
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'list_environments') && tools.some((t) => t.name === 'delete_environment'));
      const result = await client.callTool({ name: 'list_environments', arguments: {} });
      assert.equal(result.isError, true);
      assert.match((result.content as { text: string }[])[0]!.text, /^No kubeconfig found.*\nhint: /s);
    } finally {
      await client.close();
    }
  });

  it('the CLI bundle\'s sleeper serves /metrics with prom-client inside, counts failed passes, and closes the port on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-bundle-'));
    const kubeconfig = path.join(dir, 'config');
    // A cluster nobody listens on: every pass fails, the endpoint still serves.
    fs.writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: x}\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\n');
    const port = await freePort();
    const child = spawn(process.execPath, [dist('cli.js'), 'sleeper', '--interval', '1h', '--metrics-port', String(port)], { env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    try {
      let text = '';
      for (let i = 0; i < 100 && !/^tenv_sleeper_errors_total\{kind="pass"\} 1$/m.test(text); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
      }
      assert.match(text, /^tenv_sleeper_errors_total\{kind="pass"\} 1$/m, text);
      assert.match(text, /^# TYPE tenv_sleeper_pass_duration_seconds histogram$/m);
      assert.match(stdout, new RegExp(`^serving metrics on port ${port} at /metrics$`, 'm'));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
    for (const bundle of ['extension.js', 'runtime.js']) assert.ok(!fs.readFileSync(dist(bundle), 'utf8').includes('tenv_sleeper_'), `the metrics stay out of ${bundle}`);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('package', () => {
  const vsix = path.join(root, 'dist-vsix', 't-env.vsix');
  it('contains only dist, media, README, CHANGELOG, LICENSE and package.json, under 2 MB', () => {
    const listed = execFileSync(path.join(root, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
      .split('\n').map((l) => l.trim()).filter(Boolean);
    const allowed = /^(dist\/(extension|runtime|cli)\.js(\.map)?|media\/[^/]+|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/;
    for (const file of listed) assert.match(file, allowed);
    for (const needed of ['dist/extension.js', 'dist/runtime.js', 'dist/cli.js', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) assert.ok(listed.includes(needed), needed);
    assert.ok(fs.statSync(vsix).size < 2 * 1024 * 1024, `vsix is ${fs.statSync(vsix).size} bytes`);
  });
});
