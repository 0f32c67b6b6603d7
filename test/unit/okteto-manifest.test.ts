// The okteto manifest, versions and state-file values: pure parsing, no files and no okteto.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors.ts';
import {
  compareVersions, devOnlyManifest, devServiceForWorkload, devServicesInEnvironment, findDevService, MANIFEST_NAMES, MAX_MANIFEST_BYTES, matchDevWorkload, MIN_OKTETO_VERSION, OKTETO_PROGRESS_STATES,
  oktetoStateLabel, oktetoStateRank, parseOktetoManifest, parseOktetoState, parseOktetoVersion,
} from '../../src/core/okteto-manifest.ts';
import type { LabelledWorkload } from '../../src/core/okteto-manifest.ts';

function assertInvalid(action: () => unknown, pattern: RegExp): InvalidInputError {
  let caught: unknown;
  assert.throws(action, (error: unknown) => { caught = error; return true; });
  assert.ok(caught instanceof InvalidInputError, `expected InvalidInputError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  return caught;
}

const MANIFEST = `# dev services of the shop
dev:
  api:
    image: okteto/golang:1
    command: bash
    workdir: /usr/src/app
    sync:
      - .:/usr/src/app
    forward:
      - 8080:8080
      - 5432:db:5432
    environment:
      LOG_LEVEL: debug
    autocreate: false
  web:
    command: ["yarn", "start"]
    sync:
      folders:
        - ./web:/app
    forward:
      - {localPort: 3000, remotePort: 3000}
  worker:
`;

describe('parseOktetoManifest', () => {
  it('reads every dev service with its fields and line', () => {
    const manifest = parseOktetoManifest(MANIFEST);
    assert.deepEqual(manifest.dev, [
      { key: 'api', name: 'api', selector: undefined, image: 'okteto/golang:1', command: ['bash'], workdir: '/usr/src/app', sync: ['.:/usr/src/app'], forward: ['8080:8080', '5432:db:5432'], line: 3 },
      { key: 'web', name: 'web', selector: undefined, command: ['yarn', 'start'], sync: ['./web:/app'], forward: ['3000:3000'], line: 15 },
      { key: 'worker', name: 'worker', selector: undefined, sync: [], forward: [], line: 22 },
    ]);
    assert.deepEqual(manifest.platformOnly, []);
  });

  it('reports platform-only top-level keys with their line (empty ones do not count, like ValidateForCLIOnly)', () => {
    const manifest = parseOktetoManifest('name: shop\nicon: database\ndeploy:\n  - kubectl apply -f k8s\ntest: {}\ndev:\n  api:\n    image: registry/api:dev\n');
    assert.equal(manifest.dev[0]?.image, 'registry/api:dev');
    assert.deepEqual(manifest.platformOnly, [{ key: 'name', line: 1 }, { key: 'icon', line: 2 }, { key: 'deploy', line: 3 }]);
  });

  it('parses strictly like okteto: an unknown dev field is one error naming the line and the field', () => {
    const error = assertInvalid(() => parseOktetoManifest('dev:\n  api:\n    image: x\n    sycn:\n      - .:/app\n', 'okteto.yml'),
      /^okteto\.yml:4: field 'sycn' is not a property of the 'dev' object\. Did you mean "sync"\?$/);
    assert.doesNotMatch(error.message, /\n/);
    assertInvalid(() => parseOktetoManifest('dev:\n  api:\n    namespace: other\n'), /^okteto\.yml:3: field 'namespace' is not a property of the 'dev' object\.$/);
    assertInvalid(() => parseOktetoManifest('dev:\n  api:\n    image:\n      name: registry/api:dev\n'), /^okteto\.yml:4: dev\.api\.image must be an image name \(a string\)\.$/);
    assertInvalid(() => parseOktetoManifest('dev:\n  api: {}\ndeplyo: []\n'), /^okteto\.yml:3: field 'deplyo' is not a property of the okteto manifest\. Did you mean "deploy"\?$/);
    assertInvalid(() => parseOktetoManifest('services:\n  api:\n    image: x\n'), /^okteto\.yml:1: this is a Docker Compose file/);
    assertInvalid(() => parseOktetoManifest('dev:\n  api:\n    selector: [app]\n'), /^okteto\.yml:3: dev\.api\.selector must map label names/);
  });

  it('reads name: and selector: (name overrides the key, as okteto setDefaults does)', () => {
    const manifest = parseOktetoManifest('dev:\n  web-dev:\n    selector:\n      app: web\n  backend:\n    name: api\n');
    assert.deepEqual(manifest.dev.map((d) => [d.key, d.name, d.selector]), [['web-dev', 'web-dev', { app: 'web' }], ['backend', 'api', undefined]]);
  });

  it('refuses a manifest over 1 MB before parsing it', () => {
    const big = `dev:\n  api:\n    image: x\n#${'x'.repeat(MAX_MANIFEST_BYTES)}\n`;
    assertInvalid(() => parseOktetoManifest(big), /^okteto\.yml: the okteto manifest is 1\.0 MB, over the 1 MB limit\.$/);
  });

  it('derives the dev-only manifest okteto is handed, with local paths made absolute', () => {
    const text = 'name: shop\nbuild:\n  api:\n    context: api\ndeploy:\n  - helm upgrade --install shop chart\ndev:\n  api:\n    image: x\n    sync:\n      - ./api:/app\n      - /abs:/data\n    envFiles:\n      - .env\n    secrets:\n      - ~/.ssh/id:/root/.ssh/id\n';
    const derived = devOnlyManifest(parseOktetoManifest(text), '/work/shop');
    assert.ok(derived);
    const again = parseOktetoManifest(derived, 'derived.yml');
    assert.deepEqual(again.platformOnly, []);
    assert.deepEqual(again.dev[0]?.sync, ['/work/shop/api:/app', '/abs:/data']);
    assert.match(derived, /- \/work\/shop\/\.env/);
    assert.match(derived, /~\/\.ssh\/id:\/root\/\.ssh\/id/);
    assert.match(derived, /^# Derived by T-Env .*okteto refuses name, build, deploy on a cluster without the Okteto platform\./);
    assert.equal(devOnlyManifest(parseOktetoManifest('dev:\n  api: {}\n'), '/w'), undefined, 'nothing to derive');
  });

  it('names the file and the line of malformed YAML', () => {
    const text = 'dev:\n  api:\n    image: x\n    sync:\n      - .:/app\n   forward:\n      - 8080:8080\n';
    const error = assertInvalid(() => parseOktetoManifest(text, '.okteto/okteto.yml'), /^\.okteto\/okteto\.yml:6: /);
    assert.doesNotMatch(error.message, /\n/, 'one line, without the YAML library\'s code excerpt');
    assertInvalid(() => parseOktetoManifest('dev:\n  api: {image: x\n', 'okteto.yml'), /^okteto\.yml:\d+: /);
  });

  it('reports a duplicate service as an error at its line', () => {
    assertInvalid(() => parseOktetoManifest('dev:\n  api: {}\n  api: {}\n'), /^okteto\.yml:3: .*unique/i);
  });

  it('says clearly when there is no dev section', () => {
    assertInvalid(() => parseOktetoManifest('deploy:\n  - make\n'), /^okteto\.yml: the manifest has no 'dev' section\.$/);
    assertInvalid(() => parseOktetoManifest(''), /^okteto\.yml: the manifest is empty; it needs a 'dev' section\.$/);
    assertInvalid(() => parseOktetoManifest('# only a comment\n'), /empty; it needs a 'dev' section/);
    assertInvalid(() => parseOktetoManifest('dev:\n'), /^okteto\.yml:1: the 'dev' section must map service names/);
    assertInvalid(() => parseOktetoManifest('- a\n- b\n'), /^okteto\.yml:1: the manifest must be a mapping/);
    const v1 = assertInvalid(() => parseOktetoManifest('name: api\nimage: golang\nsync:\n  - .:/app\n'), /^okteto\.yml: this is a v1 okteto manifest \(no 'dev' section\)/);
    assert.equal(v1.hint, 'Move its fields under "dev:", e.g.\ndev:\n  api:\n    image: golang\n    sync:\n      - .:/app');
  });

  it('rejects wrongly typed fields at the field\'s line', () => {
    assertInvalid(() => parseOktetoManifest('dev:\n  api:\n    sync: .:/app\n'), /^okteto\.yml:3: dev\.api\.sync must list folders/);
    assertInvalid(() => parseOktetoManifest('dev:\n  api:\n    sync:\n      - /app\n'), /^okteto\.yml:4: dev\.api\.sync/);
    assertInvalid(() => parseOktetoManifest('dev:\n  api:\n    forward:\n      - http\n'), /^okteto\.yml:4: dev\.api\.forward/);
    assertInvalid(() => parseOktetoManifest('dev:\n  api:\n    image: [a]\n'), /^okteto\.yml:3: dev\.api\.image/);
    assertInvalid(() => parseOktetoManifest('dev:\n  api: nope\n'), /^okteto\.yml:2: dev service "api" must be a mapping/);
  });
});

describe('dev services and workloads', () => {
  const manifest = parseOktetoManifest(MANIFEST, 'okteto.yml');
  const workloads: LabelledWorkload[] = [{ kind: 'Deployment', name: 'api' }, { kind: 'StatefulSet', name: 'worker' }, { kind: 'CronJob', name: 'web' }];

  it('finds a service or names the ones the manifest defines', () => {
    assert.equal(findDevService(manifest, 'web').name, 'web');
    const error = assertInvalid(() => findDevService(manifest, 'db'), /^okteto\.yml: development container "db" doesn't exist \(the manifest defines: api, web, worker\)\.$/);
    assert.match(error.hint ?? '', /api, web, worker/);
  });

  it('matches name: and selector: to workloads exactly as okteto GetByDev does', () => {
    const m = parseOktetoManifest('dev:\n  web-dev:\n    selector:\n      app: web\n  backend:\n    name: api\n  cache:\n    selector:\n      tier: cache\n');
    const ws: LabelledWorkload[] = [
      { kind: 'Deployment', name: 'web', labels: { app: 'web' } },
      { kind: 'Deployment', name: 'web-okteto', labels: { app: 'web', 'dev.okteto.com/clone': 'uid' } },
      { kind: 'Deployment', name: 'api', labels: {} },
      { kind: 'StatefulSet', name: 'redis', labels: { tier: 'cache' } },
      { kind: 'StatefulSet', name: 'memcached', labels: { tier: 'cache' } },
    ];
    assert.equal(matchDevWorkload(findDevService(m, 'web-dev'), ws, 'jane-dev').name, 'web');
    assert.equal(matchDevWorkload(findDevService(m, 'backend'), ws, 'jane-dev').name, 'api');
    assertInvalid(() => matchDevWorkload(findDevService(m, 'cache'), ws, 'jane-dev'), /^okteto\.yml:7: dev service "cache": its selector tier=cache matches 2 workloads .*\(redis, memcached\); okteto needs exactly one\.$/);
    assertInvalid(() => matchDevWorkload(findDevService(m, 'web-dev'), [], 'jane-dev'), /no Deployment or StatefulSet in environment "jane-dev" has the labels app=web\./);
    assert.deepEqual(devServicesInEnvironment(m, ws).map((d) => d.key), ['web-dev', 'backend']);
    assert.equal(devServiceForWorkload(m, 'web', ws)?.key, 'web-dev');
    assert.equal(devServiceForWorkload(m, 'api', ws)?.key, 'backend');
    assert.equal(devServiceForWorkload(m, 'redis', ws), undefined);
  });

  it('matches a service to its Deployment or StatefulSet, or points at the manifest line', () => {
    assert.deepEqual(matchDevWorkload(findDevService(manifest, 'worker'), workloads, 'jane-dev'), { kind: 'StatefulSet', name: 'worker' });
    // A CronJob cannot be put in dev mode.
    assertInvalid(() => matchDevWorkload(findDevService(manifest, 'web'), workloads, 'jane-dev'),
      /^okteto\.yml:15: dev service "web" has no Deployment or StatefulSet named "web" in environment "jane-dev"\.$/);
    assert.deepEqual(devServicesInEnvironment(manifest, workloads).map((d) => d.name), ['api', 'worker']);
  });
});

describe('okteto versions', () => {
  it('parses `okteto version` output', () => {
    assert.equal(parseOktetoVersion('okteto version 3.21.0\n'), '3.21.0');
    assert.equal(parseOktetoVersion('okteto version 3.17.0-rc.2'), '3.17.0-rc.2');
    assert.equal(parseOktetoVersion('3.4.1'), '3.4.1');
    assert.equal(parseOktetoVersion('okteto version dev'), undefined);
    assert.equal(parseOktetoVersion(''), undefined);
  });

  it('compares numerically, with pre-releases before their release', () => {
    assert.ok(compareVersions('3.17.0', MIN_OKTETO_VERSION) === 0);
    assert.ok(compareVersions('3.9.9', '3.17.0') < 0, 'numeric, not lexical');
    assert.ok(compareVersions('3.17.1', '3.17.0') > 0);
    assert.ok(compareVersions('4.0.0', '3.99.99') > 0);
    assert.ok(compareVersions('3.17.0-rc1', '3.17.0') < 0);
    assert.ok(compareVersions('3.17.0-rc.10', '3.17.0-rc.9') > 0);
    assert.ok(compareVersions('v3.17.0', '3.17.0') === 0);
  });
});

describe('okteto state file', () => {
  it('parses every state of `okteto up` and `failed:<message>`', () => {
    for (const state of OKTETO_PROGRESS_STATES) assert.deepEqual(parseOktetoState(state), { state, message: undefined });
    assert.deepEqual(parseOktetoState('ready\n'), { state: 'ready', message: undefined });
    assert.deepEqual(parseOktetoState('failed:image "x" not found'), { state: 'failed', message: 'image "x" not found' });
    assert.deepEqual(parseOktetoState('failed'), { state: 'failed', message: undefined });
    assert.equal(parseOktetoState(''), undefined, 'empty: okteto truncated the file and has not written yet');
    assert.equal(parseOktetoState('sleeping'), undefined);
  });

  it('has a label and an order for each state', () => {
    assert.equal(oktetoStateLabel('synchronizing'), 'synchronizing files');
    assert.equal(oktetoStateLabel('pulling'), 'pulling images');
    assert.equal(oktetoStateLabel('ready'), 'ready');
    assert.deepEqual(OKTETO_PROGRESS_STATES.map(oktetoStateRank), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(oktetoStateRank('failed'), -1);
  });

  it('lists the manifest names in the CLI\'s discovery order', () => {
    assert.deepEqual(MANIFEST_NAMES, ['okteto.yml', 'okteto.yaml', '.okteto/okteto.yml', '.okteto/okteto.yaml']);
  });
});
