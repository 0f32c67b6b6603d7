// A nested npm started from an npm script (code-server's install from `npm run sandbox` or
// `npm test`) must describe the Node that really runs it, not the outer npm's: code-server's
// postinstall reads the Node version from npm_config_user_agent and refused to install when the
// outer npm (on Node 20) leaked its user agent. Real npm, real Node 24, a throwaway package.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withoutOuterNpm } from '../e2e/processes.ts';
import { repoNode } from '../e2e/paths.ts';

describe('nested npm environment', () => {
  let dir = '';
  let node24Version = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 't-env-nested-npm-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
      name: 'nested-npm-probe', private: true,
      scripts: { ua: 'node -e "process.stdout.write(process.env.npm_config_user_agent)"' },
    }));
    node24Version = spawnSync(repoNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
    assert.match(node24Version, /^v24\./, 'the node devDependency provides Node 24');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** What a nested `npm run ua` reports as its user agent, with Node 24 first on PATH. */
  function nestedUserAgent(env: NodeJS.ProcessEnv): string {
    const run = spawnSync('npm', ['run', '-s', 'ua'], {
      cwd: dir, encoding: 'utf8',
      env: { ...env, PATH: `${path.dirname(fs.realpathSync(repoNode))}${path.delimiter}${env['PATH'] ?? ''}` },
    });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
  }

  // What the outer `npm run` (system npm on Node 20) exports to the harness.
  const outer: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
    npm_lifecycle_event: 'sandbox',
    npm_package_name: 't-env',
    INIT_CWD: '/somewhere/else',
  };

  it('leaks the outer Node version when the environment is passed on as is (the bug)', () => {
    assert.match(nestedUserAgent(outer), /node\/v20\.20\.2/);
  });

  it('reports the Node that runs it once the outer npm variables are removed', () => {
    const clean = withoutOuterNpm(outer);
    assert.equal(Object.keys(clean).filter((key) => /^npm_/i.test(key) || key === 'INIT_CWD').length, 0);
    assert.equal(clean['PATH'], outer['PATH'], 'other variables are kept');
    assert.match(nestedUserAgent(clean), new RegExp(`node/${node24Version.replace(/\./g, '\\.')}`));
  });
});
