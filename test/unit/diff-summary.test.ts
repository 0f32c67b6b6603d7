// The baseline diff summary environment_status gives an agent: counts per status, the objects that
// differ, bounded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DiffEntry, DiffStatus } from '../../src/core/baseline-diff.ts';
import { summarizeDiff } from '../../src/core/diff-summary.ts';

const entry = (name: string, status: DiffStatus, extra: Partial<DiffEntry> = {}): DiffEntry => ({
  kind: 'Deployment', name, status, copied: status !== 'only-in-baseline', dev: false, baseline: undefined, environment: undefined, ...extra,
});

describe('summarizeDiff', () => {
  it('counts every status and lists what is not in sync, with image changes and dev mode', () => {
    const summary = summarizeDiff([
      entry('a', 'in-sync'), entry('b', 'behind', { image: { from: 'b=b:1', to: 'b=b:2' } }), entry('c', 'changed-here', { dev: true }),
      entry('d', 'only-in-baseline'), entry('e', 'only-here'), entry('f', 'in-sync'),
    ], 10);
    assert.deepEqual(summary, {
      counts: { 'in-sync': 2, behind: 1, 'changed-here': 1, 'only-in-baseline': 1, 'only-here': 1 },
      differences: [
        { kind: 'Deployment', name: 'b', status: 'behind', dev: false, image: { from: 'b=b:1', to: 'b=b:2' } },
        { kind: 'Deployment', name: 'c', status: 'changed-here', dev: true },
        { kind: 'Deployment', name: 'd', status: 'only-in-baseline', dev: false },
        { kind: 'Deployment', name: 'e', status: 'only-here', dev: false },
      ],
      omitted: 0,
    });
  });
  it('keeps at most limit differences and says how many it left out', () => {
    const entries = Array.from({ length: 250 }, (_, i) => entry(`w${i}`, i % 5 === 0 ? 'in-sync' : 'behind'));
    const summary = summarizeDiff(entries, 100);
    assert.equal(summary.differences.length, 100);
    assert.equal(summary.omitted, 100);
    assert.equal(summary.counts['in-sync'], 50);
    assert.equal(summary.counts.behind, 200);
    assert.deepEqual(summarizeDiff([entry('a', 'in-sync')], 100), { counts: { 'in-sync': 1, behind: 0, 'changed-here': 0, 'only-in-baseline': 0, 'only-here': 0 }, differences: [], omitted: 0 });
  });
});
