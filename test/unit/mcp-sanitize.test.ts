// What reaches an agent from the cluster: C0 controls but tab and newline, DEL and C1 shown escaped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeAgentText, sanitizeAgentValue } from '../../src/mcp/sanitize.ts';

describe('MCP output sanitizing', () => {
  it('escapes C0 (except tab and newline), DEL and C1; keeps the rest of Unicode', () => {
    assert.equal(sanitizeAgentText('a\tb\nc'), 'a\tb\nc');
    assert.equal(sanitizeAgentText('red \u001b[31mALERT\u001b[0m\r hidden\u0007\u0000'), 'red \\x1b[31mALERT\\x1b[0m\\x0d hidden\\x07\\x00');
    assert.equal(sanitizeAgentText('del\u007f c1\u0085\u009b1m end'), 'del\\x7f c1\\x85\\x9b1m end');
    assert.equal(sanitizeAgentText('héllo — 日本 🚀'), 'héllo — 日本 🚀');
    for (let code = 0; code < 0xa0; code++) {
      const kept = sanitizeAgentText(String.fromCharCode(code)) === String.fromCharCode(code);
      assert.equal(kept, code === 9 || code === 10 || (code >= 0x20 && code < 0x7f), `U+${code.toString(16)}`);
    }
  });

  it('cleans every string of a structured result, keys included, and leaves other values alone', () => {
    assert.deepEqual(sanitizeAgentValue({ 'k\u001b': ['x\u0000', 1, true, null, { m: 'y\u009b' }] }), { 'k\\x1b': ['x\\x00', 1, true, null, { m: 'y\\x9b' }] });
  });
});
