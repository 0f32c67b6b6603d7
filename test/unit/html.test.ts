// escapeHtml: cluster text as element text or a quoted attribute value in the report webview.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml } from '../../src/core/html.ts';

describe('escapeHtml', () => {
  it('turns the five markup characters into entities, ampersands first', () => {
    assert.equal(escapeHtml('<img src=x onerror="alert(1)">'), '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    assert.equal(escapeHtml('a & b \'c\''), 'a &amp; b &#39;c&#39;');
    assert.equal(escapeHtml('&lt;'), '&amp;lt;', 'an entity in the input stays text');
  });

  it('shows control characters escaped and leaves plain text alone', () => {
    assert.equal(escapeHtml('api\x1b[31m\u0085'), 'api\\x1b[31m\\x85');
    assert.equal(escapeHtml('alice-dev · 64 %'), 'alice-dev · 64 %');
    assert.equal(escapeHtml(''), '');
  });
});
