import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerLogParser } from '../../src/core/log-lines.ts';
import { MAX_QUOTED_CHARS, quoteValue, redactCredentials, sanitizeText } from '../../src/core/sanitize.ts';

// Terminal attacks a hostile log line, event or annotation could carry.
const ATTACKS = {
  title: '\x1b]0;pwned\x07',
  clear: '\x1b[2J\x1b[H',
  osc8: '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\',
  osc52: '\x1b]52;c;cm0gLXJmIH4=\x07',
  cursorUp: 'ok\r\x1b[1A\x1b[2Kall tests passed',
  query: '\x1b[6n\x1b[c',
  c1Csi: '\u009b2J',
  c1Osc: '\u009d0;title\u009c',
  del: 'a\x7fb',
};

/** No control character but tab survives (C0, DEL, C1). */
function assertInert(text: string): void {
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(text, /[\x00-\x08\x0a-\x1f\x7f-\x9f]/, JSON.stringify(text));
}

describe('sanitizeText', () => {
  it('shows every C0 control but tab, DEL and every C1 control escaped', () => {
    for (const [name, attack] of Object.entries(ATTACKS)) {
      const shown = sanitizeText(`before ${attack} after`);
      assertInert(shown);
      assert.ok(shown.startsWith('before ') && shown.endsWith(' after'), name);
    }
    assert.equal(sanitizeText('\x1b]0;pwned\x07'), '\\x1b]0;pwned\\x07');
    assert.equal(sanitizeText('a\tb'), 'a\tb');
    assert.equal(sanitizeText('\u009b2J'), '\\x9b2J');
    assert.equal(sanitizeText('line\nnext\r'), 'line\\x0anext\\x0d');
    assert.equal(sanitizeText('plain ünïcödé ✔'), 'plain ünïcödé ✔');
  });

  it('with keepSgr keeps colour sequences only', () => {
    assert.equal(sanitizeText('\x1b[31mred\x1b[0m \x1b[1;38;5;208mbold\x1b[m', { keepSgr: true }), '\x1b[31mred\x1b[0m \x1b[1;38;5;208mbold\x1b[m');
    for (const attack of Object.values(ATTACKS)) assertInert(sanitizeText(attack, { keepSgr: true }));
    // An SGR opener cannot swallow what follows it.
    assert.equal(sanitizeText('\x1b[31\x1b]0;x\x07', { keepSgr: true }), '\\x1b[31\\x1b]0;x\\x07');
  });

  it('quoteValue cuts long values and says how long they were', () => {
    assert.equal(quoteValue('Mars/Olympus'), '"Mars/Olympus"');
    const long = 'x'.repeat(200_000);
    const quoted = quoteValue(long);
    assert.equal(quoted, `"${'x'.repeat(MAX_QUOTED_CHARS)}…" (200000 chars)`);
    assert.equal(quoteValue('\x1b[2J'), '"\\x1b[2J"');
    // A surrogate pair is never split.
    assert.equal(quoteValue(`${'a'.repeat(MAX_QUOTED_CHARS - 1)}😀b`), `"${'a'.repeat(MAX_QUOTED_CHARS - 1)}…" (${MAX_QUOTED_CHARS + 2} chars)`);
  });

  it('log lines: escaped by default, colour kept on request, raw passed as written', () => {
    const line = Buffer.from(`2024-01-01T00:00:01Z \x1b[32mok\x1b[0m${ATTACKS.title}${ATTACKS.osc52}\n`);
    const parse = (controls?: 'escape' | 'keep-sgr' | 'raw'): string => {
      const out: string[] = [];
      new ContainerLogParser({ label: '', showTimestamps: false, controls }).push(line, (l) => out.push(l));
      return out[0]!;
    };
    assertInert(parse());
    assert.equal(parse('keep-sgr'), '\x1b[32mok\x1b[0m\\x1b]0;pwned\\x07\\x1b]52;c;cm0gLXJmIH4=\\x07');
    assert.equal(parse('raw'), `\x1b[32mok\x1b[0m${ATTACKS.title}${ATTACKS.osc52}`);
  });
});

describe('redactCredentials', () => {
  it('hides what an exec credential plugin may print (L3)', () => {
    const stderr = 'error: oauth2: cannot fetch token: refresh_token=1//0gAbCdEf-ghijkl client_secret=GOCSPX-s3cr3t "password":"hunter2" Authorization: Bearer abc.def.ghi';
    const shown = redactCredentials(stderr);
    for (const secret of ['1//0gAbCdEf', 'GOCSPX-s3cr3t', 'hunter2', 'abc.def.ghi']) assert.ok(!shown.includes(secret), `${secret} in ${shown}`);
    assert.match(shown, /refresh_token=\[redacted\] client_secret=\[redacted\]/);
    assert.match(shown, /^error: oauth2: cannot fetch token:/);
    // A raw token instead of the ExecCredential JSON: V8 quotes its start in the parse error.
    let parseError = '';
    try { JSON.parse('eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJl'); } catch (e) { parseError = (e as Error).message; }
    assert.ok(!redactCredentials(parseError).includes('eyJhbGci'), redactCredentials(parseError));
    assert.ok(!redactCredentials('token ya29.a0AfH6SMBx3kLmNoPqRsTuVwXyZ0123456789abcdef').includes('a0AfH6SMBx'));
    assert.equal(redactCredentials('cannot GET https://alice:hunter2@10.0.0.1:6443/api?x=1'), 'cannot GET https://10.0.0.1:6443/api?x=1');
    // Ordinary messages stay as they are.
    const plain = 'Cannot reach the cluster at https://127.0.0.1:6443/api/v1/namespaces/jane-dev.';
    assert.equal(redactCredentials(plain), plain);
  });
});
