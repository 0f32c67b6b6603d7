// core/kinds.ts refKey: the one key of an environment or a workload (issue #20, identity).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refKey } from '../../src/core/kinds.ts';

describe('refKey', () => {
  it('a Deployment and a StatefulSet of one name, or one workload in two contexts, never share a key', () => {
    const keys = [
      refKey({ context: 'kind-a', namespace: 'shop', kind: 'Deployment', name: 'db' }),
      refKey({ context: 'kind-a', namespace: 'shop', kind: 'StatefulSet', name: 'db' }),
      refKey({ context: 'kind-b', namespace: 'shop', kind: 'Deployment', name: 'db' }),
      refKey({ context: 'kind-a', namespace: 'shop', kind: 'Deployment', name: 'db-x' }),
      refKey({ context: 'kind-a', namespace: 'shop' }),
    ];
    assert.equal(new Set(keys).size, keys.length);
  });

  it('no separator inside a name can forge another ref\'s key', () => {
    // "a/b" + "c" against "a" + "b/c": a joined `ns/name` key would make these equal.
    assert.notEqual(refKey({ context: 'x', namespace: 'a/b', kind: 'Deployment', name: 'c' }), refKey({ context: 'x', namespace: 'a', kind: 'Deployment', name: 'b/c' }));
    assert.notEqual(refKey({ context: 'x/y', namespace: 'z' }), refKey({ context: 'x', namespace: 'y/z' }));
  });

  it('is stable: the same ref gives the same key', () => {
    assert.equal(refKey({ context: 'c', namespace: 'n', kind: 'CronJob', name: 'nightly' }), refKey({ name: 'nightly', kind: 'CronJob', namespace: 'n', context: 'c' }));
  });
});
