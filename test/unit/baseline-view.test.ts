// What VS Code shows of an environment's relation to its baseline: workload marks with image
// changes, the environment's description, and which objects Update from Baseline asks to force.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareCopy } from '../../src/core/baseline-copy.ts';
import type { KubeObject } from '../../src/core/baseline-copy.ts';
import { diffWithBaseline } from '../../src/core/baseline-diff.ts';
import type { Listed } from '../../src/core/baseline-diff.ts';
import {
  baselineDescription, describeImageChange, forceCandidates, imageChanges, markOf, markTooltip, workloadMarks,
} from '../../src/core/baseline-view.ts';

const target = { baseline: 'main', environment: 'jane' };

function deployment(name: string, containers: Record<string, string>, init: Record<string, string> = {}): KubeObject {
  const list = (c: Record<string, string>): { name: string; image: string }[] => Object.entries(c).map(([n, image]) => ({ name: n, image }));
  return {
    metadata: { name, namespace: 'main', labels: { app: name } },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: list(containers), initContainers: list(init) } } },
  };
}

/** The copy as the API server returns it. */
function applied(obj: KubeObject): KubeObject {
  return JSON.parse(JSON.stringify(prepareCopy('Deployment', obj, target).object)) as KubeObject;
}

describe('imageChanges', () => {
  it('pairs containers by name, init containers included, and names added and removed ones', () => {
    const here = deployment('api', { api: 'api:1', sidecar: 'proxy:1', old: 'old:1' }, { migrate: 'api:1' });
    const base = deployment('api', { api: 'api:2', sidecar: 'proxy:1', added: 'new:1' }, { migrate: 'api:2' });
    assert.deepEqual(imageChanges('Deployment', here, base), [
      { container: 'migrate', from: 'api:1', to: 'api:2' },
      { container: 'api', from: 'api:1', to: 'api:2' },
      { container: 'added', from: '(none)', to: 'new:1' },
      { container: 'old', from: 'old:1', to: '(removed)' },
    ]);
    assert.deepEqual(imageChanges('CronJob', { spec: {} }, { spec: {} }), []);
  });
  it('sanitizes and cuts what the cluster wrote', () => {
    const line = describeImageChange({ container: 'api', from: 'evil\x1b]0;pwned\x07:1', to: `r/${'x'.repeat(300)}` });
    assert.ok(!line.includes('\x1b') && !line.includes('\x07'), line);
    assert.match(line, /^api: evil\\x1b\]0;pwned\\x07:1 → r\/x+…$/);
    assert.ok(line.length < 250, String(line.length));
  });
});

describe('workloadMarks', () => {
  it('marks copied workloads with their status and behind ones with the image change; workloads made here get none', () => {
    const base: Listed[] = [
      { kind: 'Deployment', obj: deployment('same', { same: 'same:1' }) },
      { kind: 'Deployment', obj: deployment('moved', { moved: 'moved:2' }) },
      { kind: 'ConfigMap', obj: { metadata: { name: 'cfg' }, data: { a: '2' } } },
    ];
    const here: Listed[] = [
      { kind: 'Deployment', obj: applied(deployment('same', { same: 'same:1' })) },
      { kind: 'Deployment', obj: applied(deployment('moved', { moved: 'moved:1' })) },
      { kind: 'Deployment', obj: deployment('mine', { mine: 'mine:1' }) },
      { kind: 'ConfigMap', obj: { metadata: { name: 'cfg' }, data: { a: '1' } } },
    ];
    const marks = workloadMarks('main', base, here);
    assert.deepEqual([...marks.keys()], ['Deployment/moved', 'Deployment/same'], 'workloads only, none for mine');
    assert.deepEqual(markOf(marks, 'Deployment', 'same'), { baseline: 'main', status: 'in-sync', images: [] });
    assert.deepEqual(markOf(marks, 'Deployment', 'moved'), { baseline: 'main', status: 'behind', images: [{ container: 'moved', from: 'moved:1', to: 'moved:2' }] });
    assert.equal(markOf(marks, 'Deployment', 'mine'), undefined);
    assert.equal(markOf(marks, 'StatefulSet', 'moved'), undefined);
  });
  it('marks a copy the baseline dropped, and says so in the tooltip', () => {
    const marks = workloadMarks('main', [], [{ kind: 'Deployment', obj: applied(deployment('gone', { gone: 'gone:1' })) }]);
    const mark = markOf(marks, 'Deployment', 'gone')!;
    assert.equal(mark.status, 'only-here');
    assert.match(markTooltip(mark), /no longer has it/);
  });
});

describe('markTooltip and baselineDescription', () => {
  it('says behind with each image change on its own line', () => {
    assert.equal(markTooltip({ baseline: 'main', status: 'behind', images: [{ container: 'api', from: 'api:1', to: 'api:2' }] }),
      'Behind baseline main (Update from Baseline brings it up to date)\n  api: api:1 → api:2');
    assert.equal(markTooltip({ baseline: 'main', status: 'in-sync', images: [] }), 'In sync with baseline main');
    assert.match(markTooltip({ baseline: 'main', status: 'changed-here', images: [] }), /^Changed here/);
  });
  it('names the baseline and counts the workloads behind it', () => {
    assert.equal(baselineDescription('main', [undefined, { baseline: 'main', status: 'in-sync', images: [] }]), 'from main');
    const behind = { baseline: 'main', status: 'behind', images: [] } as const;
    assert.equal(baselineDescription('main', [behind, behind, undefined]), 'from main · 2 behind');
    assert.equal(baselineDescription('ma\x1bin', []), 'from ma\\x1bin');
  });
});

describe('forceCandidates', () => {
  it('offers force for objects changed here only, never for dev mode, within --only', () => {
    const edited = applied(deployment('edited', { edited: 'edited:1' }));
    (edited['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = 'mine:dev';
    const dev = applied(deployment('dev', { dev: 'dev:1' }));
    dev.metadata!.labels!['dev.okteto.com'] = 'true';
    const entries = diffWithBaseline('main', [
      { kind: 'Deployment', obj: deployment('edited', { edited: 'edited:1' }) },
      { kind: 'Deployment', obj: deployment('dev', { dev: 'dev:2' }) },
      { kind: 'Deployment', obj: deployment('moved', { moved: 'moved:2' }) },
    ], [
      { kind: 'Deployment', obj: edited },
      { kind: 'Deployment', obj: dev },
      { kind: 'Deployment', obj: applied(deployment('moved', { moved: 'moved:1' })) },
    ]);
    assert.deepEqual(entries.map((e) => `${e.name}:${e.status}`), ['dev:changed-here', 'edited:changed-here', 'moved:behind']);
    assert.deepEqual(forceCandidates(entries).map((e) => e.name), ['edited']);
    assert.deepEqual(forceCandidates(entries, ['moved']).map((e) => e.name), []);
    assert.deepEqual(forceCandidates(entries, ['edited', 'moved']).map((e) => e.name), ['edited']);
  });
});
