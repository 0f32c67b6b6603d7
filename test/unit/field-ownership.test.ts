// Field ownership of copies: a create's Update entry handed over to T-Env's Apply entry
// (core/field-ownership.ts), so that refresh's server-side apply removes what the baseline dropped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handedOverFields, unionFields } from '../../src/core/field-ownership.ts';
import type { ManagedFieldsEntry } from '../../src/core/field-ownership.ts';

const created: ManagedFieldsEntry = {
  manager: 't-env-create', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', time: '2026-01-01T00:00:00Z',
  fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:t-env.dev/from-baseline': {} } } },
};
const sleep: ManagedFieldsEntry = { manager: 't-env', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } };
const kubectl: ManagedFieldsEntry = { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:c': {} } } };

describe('unionFields', () => {
  it('merges the tries key by key, keeping both sides', () => {
    assert.deepEqual(unionFields({ 'f:data': { 'f:a': {} }, 'f:x': {} }, { 'f:data': { '.': {}, 'f:b': {} } }), { 'f:data': { 'f:a': {}, '.': {}, 'f:b': {} }, 'f:x': {} });
    assert.deepEqual(unionFields(undefined, { 'k:{"name":"app"}': { 'f:image': {} } }), { 'k:{"name":"app"}': { 'f:image': {} } });
  });

  it('does not share nodes with its inputs', () => {
    const b = { 'f:data': { 'f:a': {} } };
    const u = unionFields({}, b);
    (u['f:data'] as Record<string, unknown>)['f:z'] = {};
    assert.deepEqual(b, { 'f:data': { 'f:a': {} } });
  });
});

describe('handedOverFields', () => {
  it('turns the create entry into T-Env\'s Apply entry and leaves every other entry alone', () => {
    assert.deepEqual(handedOverFields([created, sleep, kubectl], 't-env-create', 't-env'), [sleep, kubectl, {
      manager: 't-env', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: created.fieldsV1, time: created.time,
    }]);
  });

  it('merges into an Apply entry that exists already (a resumed create applied what it found)', () => {
    const applied: ManagedFieldsEntry = { manager: 't-env', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', time: 'later', fieldsV1: { 'f:data': { 'f:a': {}, 'f:d': {} } } };
    const out = handedOverFields([applied, created], 't-env-create', 't-env');
    assert.equal(out?.length, 1);
    assert.deepEqual(out?.[0], {
      manager: 't-env', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', time: 'later',
      fieldsV1: { 'f:data': { 'f:a': {}, 'f:d': {}, '.': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:t-env.dev/from-baseline': {} } } },
    });
  });

  it('has nothing to hand over for an applied copy, a subresource entry or no managedFields', () => {
    assert.equal(handedOverFields([sleep, kubectl], 't-env-create', 't-env'), undefined);
    assert.equal(handedOverFields([{ ...created, subresource: 'status' }], 't-env-create', 't-env'), undefined);
    assert.equal(handedOverFields([{ ...created, operation: 'Apply' }], 't-env-create', 't-env'), undefined);
    assert.equal(handedOverFields(undefined, 't-env-create', 't-env'), undefined);
  });
});
