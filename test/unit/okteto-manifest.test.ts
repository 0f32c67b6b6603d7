// The okteto manifest, versions and state-file values: pure parsing, no files and no okteto.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors.ts';
import {
  compareVersions, devServicesInEnvironment, findDevService, MANIFEST_NAMES, matchDevWorkload, MIN_OKTETO_VERSION, OKTETO_PROGRESS_STATES,
  oktetoStateLabel, oktetoStateRank, parseOktetoManifest, parseOktetoState, parseOktetoVersion,
} from '../../src/core/okteto-manifest.ts';

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
      { name: 'api', image: 'okteto/golang:1', command: ['bash'], workdir: '/usr/src/app', sync: ['.:/usr/src/app'], forward: ['8080:8080', '5432:db:5432'], line: 3 },
      { name: 'web', command: ['yarn', 'start'], sync: ['./web:/app'], forward: ['3000:3000'], line: 15 },
      { name: 'worker', sync: [], forward: [], line: 22 },
    ]);
    assert.deepEqual(manifest.platformOnly, []);
  });

  it('reads `image: {name}` and reports platform-only top-level keys with their line', () => {
    const manifest = parseOktetoManifest('deploy:\n  - kubectl apply -f k8s\ndev:\n  api:\n    image:\n      name: registry/api:dev\n      context: .\n');
    assert.equal(manifest.dev[0]?.image, 'registry/api:dev');
    assert.deepEqual(manifest.platformOnly, [{ key: 'deploy', line: 1 }]);
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
    assertInvalid(() => parseOktetoManifest('name: api\nimage: golang\nsync:\n  - .:/app\n'), /v1 manifest/);
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
  const workloads = [{ kind: 'Deployment', name: 'api' }, { kind: 'StatefulSet', name: 'worker' }, { kind: 'CronJob', name: 'web' }];

  it('finds a service or names the ones the manifest defines', () => {
    assert.equal(findDevService(manifest, 'web').name, 'web');
    const error = assertInvalid(() => findDevService(manifest, 'db'), /^okteto\.yml: development container "db" doesn't exist \(the manifest defines: api, web, worker\)\.$/);
    assert.match(error.hint ?? '', /api, web, worker/);
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
