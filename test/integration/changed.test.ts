// `t env changed` against real git repositories made here: a base branch with an okteto manifest,
// then a feature branch with commits, staged and unstaged edits, untracked and ignored files, a
// rename, a service with several sync folders and a file in no service. Needs git, no cluster.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../fixtures/cli.ts';
import { changedServices } from '../../src/adapters/overlay.ts';
import { TEnvError } from '../../src/core/errors.ts';

const manifest = `build:
  cart:
    context: services/cart
  frontend: web
dev:
  checkout:
    sync:
      - services/checkout:/app
      - libs/payments:/app/vendor/payments
  frontend:
    sync:
      - web:/srv
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd, encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

/** A repository whose `main` holds the shop, with the manifest in `shop/`. */
function repository(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-changed-'));
  git(root, 'init', '-q', '-b', 'main');
  write(root, 'shop/okteto.yml', manifest);
  write(root, 'shop/.gitignore', 'build/\n*.log\n');
  for (const f of ['services/cart/main.go', 'services/cart/old-name.go', 'services/checkout/main.go', 'libs/payments/pay.go', 'web/index.html', 'web/app.ts', 'README.md']) write(root, `shop/${f}`, `${f}\n`);
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'shop');
  return root;
}

describe('t env changed', () => {
  let root: string;
  before(() => {
    root = repository();
    const shop = path.join(root, 'shop');
    git(root, 'checkout', '-q', '-b', 'feature');
    write(shop, 'libs/payments/pay.go', 'changed on the branch\n');
    git(root, 'commit', '-q', '-am', 'payments');
    git(root, 'mv', 'shop/services/cart/old-name.go', 'shop/services/cart/new name.go');
    git(root, 'commit', '-q', '-m', 'rename');
    // main moves on after the branch: its changes are not the developer's.
    git(root, 'checkout', '-q', 'main');
    write(root, 'shop/web/index.html', 'changed on main\n');
    git(root, 'commit', '-q', '-am', 'main moves');
    git(root, 'checkout', '-q', 'feature');
    write(shop, 'web/app.ts', 'staged\n');
    git(root, 'add', 'shop/web/app.ts');
    write(shop, 'README.md', 'unstaged\n');
    write(shop, 'services/checkout/new.go', 'untracked\n');
    write(shop, 'services/checkout/debug.log', 'ignored\n');
    write(shop, 'build/out.bin', 'ignored\n');
  });

  it('lists committed, staged, unstaged and untracked changes by service; never ignored files or main\'s own changes', async () => {
    const changed = await changedServices({ folder: path.join(root, 'shop') }, undefined);
    assert.deepEqual(changed, {
      base: 'main',
      services: [
        { name: 'cart', files: ['shop/services/cart/new name.go', 'shop/services/cart/old-name.go'] },
        { name: 'checkout', files: ['shop/libs/payments/pay.go', 'shop/services/checkout/new.go'] },
        { name: 'frontend', files: ['shop/web/app.ts'] },
      ],
      unmapped: ['shop/README.md'],
    });
  });

  it('prints JSON and text from the CLI, with --base and -f', async () => {
    const json = await runCli(['env', 'changed', '--json', '--base', 'HEAD~1', '-f', path.join(root, 'shop', 'okteto.yml')], {});
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      base: 'HEAD~1',
      services: [
        { name: 'cart', files: ['shop/services/cart/new name.go', 'shop/services/cart/old-name.go'] },
        { name: 'checkout', files: ['shop/services/checkout/new.go'] },
        { name: 'frontend', files: ['shop/web/app.ts'] },
      ],
      unmapped: ['shop/README.md'],
    });
  });

  it('takes origin/main before main, and the baseline\'s git ref before both', async () => {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-clone-'));
    git(clone, 'clone', '-q', '-b', 'main', root, '.');
    git(clone, 'checkout', '-q', '-b', 'mine');
    write(clone, 'shop/web/app.ts', 'mine\n');
    git(clone, 'commit', '-q', '-am', 'mine');
    // A local main that moved away from origin's: the default compares with origin/main.
    git(clone, 'branch', '-q', '-f', 'main', 'mine');
    const changed = await changedServices({ folder: path.join(clone, 'shop') }, undefined);
    assert.equal(changed.base, 'origin/main');
    assert.deepEqual(changed.services, [{ name: 'frontend', files: ['shop/web/app.ts'] }]);
    assert.equal((await changedServices({ folder: path.join(clone, 'shop') }, 'main')).base, 'main');
    assert.deepEqual((await changedServices({ folder: path.join(clone, 'shop') }, 'main')).services, []);
  });

  it('one actionable error outside a repository, and for an unknown base ref', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-plain-'));
    write(plain, 'okteto.yml', manifest);
    await assert.rejects(changedServices({ folder: plain }, undefined), (e: unknown) => e instanceof TEnvError && /is not inside a git repository/.test(e.message));
    const cli = await runCli(['env', 'changed', '--base', 'no-such-branch', '-f', path.join(root, 'shop', 'okteto.yml')], {});
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /error: None of the base refs "no-such-branch" exists in .*\nhint: Fetch it \(git fetch origin main\) or pass --base <ref>\./);
  });

  it('a checkout cannot make T-Env run its commands: core.fsmonitor, an external diff, textconv and clean filters stay unrun', async () => {
    const hostile = repository();
    const marker = path.join(hostile, 'ran');
    const script = path.join(hostile, 'hook.sh');
    fs.writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 1\n`, { mode: 0o755 });
    git(hostile, 'config', 'core.fsmonitor', script);
    git(hostile, 'config', 'diff.external', script);
    git(hostile, 'config', 'diff.evil.textconv', script);
    git(hostile, 'config', 'filter.evil.clean', script);
    git(hostile, 'config', 'filter.evil.required', 'true');
    write(hostile, 'shop/.gitattributes', '* diff=evil filter=evil\n');
    write(hostile, 'shop/web/app.ts', 'edited\n');
    const changed = await changedServices({ folder: path.join(hostile, 'shop') }, undefined);
    assert.deepEqual(changed.services.map((s) => s.name), ['frontend']);
    assert.equal(fs.existsSync(marker), false, fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : '');
  });
});
