// package.json against the code: every registered command and read setting is declared, and
// every declared one is registered; tree-only commands are hidden from the palette.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import pkg from '../../package.json' with { type: 'json' };
import { DEFAULT_AWAKE_HOURS } from '../../src/core/environment.ts';
import { DEFAULT_MINIMUM_WAKE_HOURS } from '../../src/core/sleep-plan.ts';

const source = (file: string): string => fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('package.json manifest', () => {
  const declared = pkg.contributes.commands.map((c) => c.command).sort();

  it('declares exactly the commands the extension registers', () => {
    const registered = [...source('src/vscode/commands/index.ts').matchAll(/^\s+'(tenv\.[A-Za-z]+)':/gm)].map((m) => m[1]!).sort();
    assert.deepEqual(registered, declared);
  });

  it('puts every command in the T-Env category with a title', () => {
    for (const c of pkg.contributes.commands) {
      assert.equal(c.category, 'T-Env', c.command);
      assert.ok(c.title.length > 0, c.command);
    }
  });

  it('declares exactly the settings config.ts reads', () => {
    const keys = [...source('src/vscode/config.ts').matchAll(/: '(tenv\.[A-Za-z.]+)'/g)].map((m) => m[1]!).sort();
    assert.deepEqual(keys, Object.keys(pkg.contributes.configuration.properties).sort());
  });

  it('declares the defaults the CLI and agents use', () => {
    const settings = pkg.contributes.configuration.properties;
    assert.equal(settings['tenv.defaultAwakeHours'].default, DEFAULT_AWAKE_HOURS);
    assert.equal(settings['tenv.wakeMinimumHours'].default, DEFAULT_MINIMUM_WAKE_HOURS);
  });

  it('only uses context keys and views it declares', () => {
    const views = pkg.contributes.views.tenv.map((v) => v.id);
    assert.deepEqual(views, ['tenv.environments']);
    for (const menu of pkg.contributes.menus['view/item/context']) assert.ok(declared.includes(menu.command), menu.command);
    for (const menu of pkg.contributes.menus['view/title']) assert.ok(declared.includes(menu.command), menu.command);
    assert.ok(pkg.contributes.viewsWelcome.every((w) => w.view === 'tenv.environments'));
  });

  it('activates lazily and limits untrusted workspaces', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    assert.ok(!pkg.activationEvents.includes('onStartupFinished'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, false);
    // A workspace's own settings cannot point links or executables elsewhere (issue #17, L4).
    for (const key of ['tenv.oktetoPath', 'tenv.manifestPath', 'tenv.grafana.url', 'tenv.grafana.environmentUrl', 'tenv.grafana.workloadUrl', 'tenv.grafana.podUrl']) {
      assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), key);
    }
  });

  it('links only declared commands from welcome views and the walkthrough, whose media are packaged', () => {
    const walkthrough = pkg.contributes.walkthroughs.find((w) => w.id === 'tenv.firstMorning')!;
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['selectContext', 'createMyEnvironment', 'startDev', 'wake']);
    const texts = [...pkg.contributes.viewsWelcome.map((w) => w.contents), ...walkthrough.steps.map((s) => s.description)];
    for (const text of texts) {
      for (const [, command, args] of text.matchAll(/\(command:([A-Za-z.]+)(?:\?([^)]*))?\)/g)) {
        if (command!.startsWith('tenv.')) assert.ok(declared.includes(command!), command);
        if (args) assert.ok(Array.isArray(JSON.parse(decodeURIComponent(args))), `${command} arguments are a JSON array`);
      }
    }
    assert.ok(source('.vscodeignore').includes('!media/walkthrough-*.md'), 'the walkthrough media are packaged');
    for (const step of walkthrough.steps) {
      assert.ok(fs.existsSync(new URL(`../../${step.media.markdown}`, import.meta.url)), step.media.markdown);
      assert.match(step.media.markdown, /^media\/walkthrough-[a-z-]+\.md$/);
    }
    const empty = pkg.contributes.viewsWelcome.find((w) => w.when.includes('tenv.environmentCount == 0'))!;
    assert.match(empty.contents, /\[Create My Environment\]\(command:tenv\.createEnvironment\?%5B%7B%22mine%22%3Atrue%7D%5D\)/);
  });

  it('has welcome content for every state in which the tree cannot show data', () => {
    const type = /export type ClusterState = ([^;]+);/.exec(source('src/vscode/connection.ts'))![1]!;
    const states = [...type.matchAll(/'([a-zA-Z]+)'/g)].map((m) => m[1]!);
    for (const state of states.filter((x) => !['idle', 'ready', 'reconnecting'].includes(x))) {
      assert.ok(pkg.contributes.viewsWelcome.some((w) => w.when.includes(`tenv.clusterState == ${state}`)), `no welcome view for ${state}`);
    }
  });
});
