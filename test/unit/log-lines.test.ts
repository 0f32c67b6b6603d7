// Pod log text processing: splitting, cutting, decoding, resume without loss or repeats, batching.
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContainerLogParser, cutMarker, droppedMarker, formatNotice, LineSplitter, LogBatcher, LogCursor, logLabel, splitTimestamp, timestampKey,
} from '../../src/core/log-lines.ts';

function split(chunks: readonly (string | Buffer)[], max?: number, end = true): { line: string; total: number }[] {
  const splitter = new LineSplitter(max);
  const out: { line: string; total: number }[] = [];
  const onLine = (line: Buffer, total: number): void => { out.push({ line: line.toString('utf8'), total }); };
  for (const c of chunks) splitter.push(typeof c === 'string' ? Buffer.from(c) : c, onLine);
  if (end) splitter.end(onLine);
  return out;
}

/** A log response as the API server sends it with timestamps=true. */
function response(lines: readonly [string, string][]): Buffer {
  return Buffer.from(lines.map(([ts, text]) => `${ts} ${text}\n`).join(''));
}

describe('LineSplitter', () => {
  it('yields the same lines whatever the chunk boundaries, with \\r\\n and empty lines', () => {
    const text = 'alpha\r\nbeta\n\ngamma\r\n\r\ndelta\n';
    const expected = ['alpha', 'beta', '', 'gamma', '', 'delta'];
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const lines = split([text.slice(0, i), text.slice(i, j), text.slice(j)]).map((l) => l.line);
        assert.deepEqual(lines, expected, `split at ${i}/${j}`);
      }
    }
  });

  it('emits an unterminated last line at a clean end, and forgets it on reset', () => {
    assert.deepEqual(split(['one\ntw', 'o']).map((l) => l.line), ['one', 'two']);
    const splitter = new LineSplitter();
    const out: string[] = [];
    const onLine = (line: Buffer): void => { out.push(line.toString()); };
    splitter.push(Buffer.from('one\nhalf a li'), onLine);
    splitter.reset();
    splitter.push(Buffer.from('whole\n'), onLine);
    splitter.end(onLine);
    assert.deepEqual(out, ['one', 'whole']);
  });

  it('cuts a long line, reports its full length, and keeps the lines around it', () => {
    const long = 'x'.repeat(100);
    const lines = split(['before\n', long.slice(0, 30), long.slice(30), '\nafter\n'], 16);
    assert.deepEqual(lines, [{ line: 'before', total: 6 }, { line: 'x'.repeat(16), total: 100 }, { line: 'after', total: 5 }]);
    // Within one chunk too.
    assert.deepEqual(split([`${long}\nok\n`], 16), [{ line: 'x'.repeat(16), total: 100 }, { line: 'ok', total: 2 }]);
  });

  it('does not count the \\r of \\r\\n as a cut when it falls just past the limit', () => {
    assert.deepEqual(split(['abcd\r\n'], 4), [{ line: 'abcd', total: 4 }]);
    assert.deepEqual(split(['abcd\r', '\n'], 4), [{ line: 'abcd', total: 4 }]);
    assert.deepEqual(split(['abcde\r\n'], 4), [{ line: 'abcd', total: 5 }]);
  });

  it('never cuts inside a UTF-8 character', () => {
    // "é" is 2 bytes, "€" 3, "😀" 4: every limit leaves only whole characters.
    const text = 'aé€😀b€'.repeat(3);
    for (let max = 4; max < Buffer.byteLength(text); max++) {
      const [first] = split([`${text}\n`], max);
      assert.ok(first);
      assert.ok(!first.line.includes('\uFFFD'), `limit ${max}: ${first.line}`);
      assert.ok(text.startsWith(first.line) && Buffer.byteLength(first.line) <= max && Buffer.byteLength(first.line) > max - 4, `limit ${max}`);
    }
  });

  it('holds at most maxLineBytes however long the line (bounded memory)', () => {
    const splitter = new LineSplitter(1024);
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let peak = 0;
    const lines: number[] = [];
    for (let i = 0; i < 160; i++) { // 10 MB without a newline
      splitter.push(chunk, (_l, total) => lines.push(total));
      peak = Math.max(peak, splitter.bufferedBytes);
    }
    splitter.push(Buffer.from('\n'), (l, total) => { assert.equal(l.length, 1024); lines.push(total); });
    assert.ok(peak <= 1024, `peak ${peak}`);
    assert.deepEqual(lines, [160 * 64 * 1024]);
    assert.equal(splitter.bufferedBytes, 0);
  });
});

describe('timestamps', () => {
  it('splits the timestamp prefix and leaves other lines whole', () => {
    assert.deepEqual(splitTimestamp('2024-01-02T03:04:05.123456789Z hello world'), { timestamp: '2024-01-02T03:04:05.123456789Z', text: 'hello world' });
    assert.deepEqual(splitTimestamp('2024-01-02T03:04:05Z '), { timestamp: '2024-01-02T03:04:05Z', text: '' });
    assert.deepEqual(splitTimestamp('no timestamp here at all'), { timestamp: undefined, text: 'no timestamp here at all' });
  });

  it('makes keys that sort like instants, whatever the precision or offset', () => {
    assert.equal(timestampKey('2024-01-02T03:04:05.123456789Z'), '2024-01-02T03:04:05.123456789');
    assert.equal(timestampKey('2024-01-02T03:04:05.5Z'), '2024-01-02T03:04:05.500000000');
    assert.equal(timestampKey('2024-01-02T03:04:05Z'), '2024-01-02T03:04:05.000000000');
    assert.equal(timestampKey('2024-01-02T05:04:05.25+02:00'), '2024-01-02T03:04:05.250000000');
    assert.equal(timestampKey('yesterday'), undefined);
    const sorted = ['2024-01-02T03:04:05.5Z', '2024-01-02T03:04:05.123456789Z', '2024-01-02T03:04:05Z', '2024-01-02T03:04:04.999999999Z']
      .map((t) => timestampKey(t)!).sort();
    assert.deepEqual(sorted, ['2024-01-02T03:04:04.999999999', '2024-01-02T03:04:05.000000000', '2024-01-02T03:04:05.123456789', '2024-01-02T03:04:05.500000000']);
  });
});

describe('LogCursor', () => {
  const T1 = '2024-01-01T00:00:01.000000000Z';
  const T2 = '2024-01-01T00:00:02.000000000Z';
  const T3 = '2024-01-01T00:00:02.500000000Z';

  it('after a resume, skips older lines and as many same-timestamp lines as were delivered', () => {
    const cursor = new LogCursor();
    assert.equal(cursor.sinceTime, undefined);
    for (const t of [T1, T2, T2]) assert.equal(cursor.accept(t), true);
    assert.equal(cursor.sinceTime, T2);
    cursor.resume();
    // The server truncates sinceTime to the second, so T1-second lines and both T2 lines come again.
    const again = [T1, T2, T2, T2, T3].map((t) => cursor.accept(t));
    assert.deepEqual(again, [false, false, false, true, true]);
    assert.equal(cursor.sinceTime, T3);
  });

  it('resumes correctly after a resumed response broke again before catching up', () => {
    const cursor = new LogCursor();
    for (const t of [T2, T2, T2]) cursor.accept(t);
    cursor.resume();
    assert.equal(cursor.accept(T2), false); // one repeat seen, then the connection broke
    cursor.resume();
    assert.deepEqual([T2, T2, T2, T2].map((t) => cursor.accept(t)), [false, false, false, true]);
  });

  it('delivers lines without a timestamp and out-of-order lines without moving back', () => {
    const cursor = new LogCursor();
    cursor.accept(T2);
    assert.equal(cursor.accept(undefined), true);
    assert.equal(cursor.accept(T1), true);
    assert.equal(cursor.sinceTime, T2);
  });
});

describe('ContainerLogParser', () => {
  it('labels lines, optionally shows timestamps, and notices and markers are recognisable', () => {
    const out: string[] = [];
    const parser = new ContainerLogParser({ label: logLabel('api-1', 'app', 2), showTimestamps: true });
    parser.push(response([['2024-01-01T00:00:01.000000000Z', 'hello']]), (l) => out.push(l));
    assert.deepEqual(out, ['[api-1/app] 2024-01-01T00:00:01.000000000Z hello']);
    assert.equal(logLabel('api-1', 'app', 1), '[api-1] ');
    assert.equal(logLabel('api-1', 'app', 1, ' previous'), '[api-1 previous] ');
    assert.equal(formatNotice('pod deleted', '[api-1] '), '[api-1] --- pod deleted ---');
  });

  it('replaces invalid UTF-8 and control characters, keeping the lines around them', () => {
    const out: string[] = [];
    const parser = new ContainerLogParser({ label: '[p] ', showTimestamps: false });
    const bad = Buffer.concat([
      Buffer.from('2024-01-01T00:00:01Z bad:'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x00, 0x07, 0x0d, 0x41]), Buffer.from(' \x1b[31mred\x1b[0m\tend\n'),
      Buffer.from('2024-01-01T00:00:01Z after\n'),
    ]);
    // Split inside the bad bytes: decoding happens per line, so chunking cannot matter.
    parser.push(bad.subarray(0, 27), (l) => out.push(l));
    parser.push(bad.subarray(27), (l) => out.push(l));
    assert.equal(out.length, 2);
    // Control characters are shown escaped (core/sanitize.ts), colour included by default.
    assert.equal(out[0], '[p] bad:\uFFFD\uFFFD\uFFFD(\\x00\\x07\\x0dA \\x1b[31mred\\x1b[0m\tend');
    assert.equal(out[1], '[p] after');
  });

  it('cuts a long line with a marker giving the length of the text itself', () => {
    const out: string[] = [];
    const parser = new ContainerLogParser({ label: '[p] ', showTimestamps: false, maxLineBytes: 1024 });
    const ts = '2024-01-01T00:00:01.000000000Z';
    parser.push(Buffer.from(`${ts} ${'z'.repeat(1_048_576)}\n${ts} next\n`), (l) => out.push(l));
    assert.equal(out.length, 2);
    assert.equal(out[0], `[p] ${'z'.repeat(1024 - ts.length - 1)}${cutMarker(1_048_576)}`);
    assert.match(out[0], / … \[line cut: 1048576 bytes\]$/);
    assert.equal(out[1], '[p] next');
  });

  it('across a broken response and a resume from sinceTime, delivers every line exactly once', () => {
    // The full log, with many lines sharing a timestamp (as when a program writes a burst).
    const log: [string, string][] = [];
    for (let i = 0; i < 60; i++) log.push([`2024-01-01T00:00:${String(10 + Math.floor(i / 7)).padStart(2, '0')}.${String(Math.floor(i / 3) % 10).padEnd(9, '0')}Z`, `line ${i}`]);
    const bytes = response(log);
    // The server's view of sinceTime: whole seconds, inclusive.
    const since = (sinceTime: string | undefined): Buffer => {
      if (!sinceTime) return bytes;
      const second = sinceTime.slice(0, 19);
      return response(log.filter(([ts]) => ts.slice(0, 19) >= second));
    };
    for (const breakAt of [1, 17, 40, 130, 700, bytes.length - 3]) {
      const out: string[] = [];
      const parser = new ContainerLogParser({ label: '', showTimestamps: false });
      parser.push(bytes.subarray(0, breakAt), (l) => out.push(l)); // then the connection broke
      const sinceTime = parser.resume();
      const rest = since(sinceTime);
      // The resumed response also arrives in odd chunks.
      for (let i = 0; i < rest.length; i += 13) parser.push(rest.subarray(i, i + 13), (l) => out.push(l));
      parser.end((l) => out.push(l));
      assert.deepEqual(out, log.map(([, text]) => text), `broken after ${breakAt} bytes`);
    }
  });
});

describe('LogBatcher', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('coalesces lines into one append per interval', () => {
    const appends: string[] = [];
    const batcher = new LogBatcher((t) => { appends.push(t); }, { flushIntervalMs: 50 });
    batcher.push('a');
    batcher.push('b');
    assert.deepEqual(appends, []);
    mock.timers.tick(49);
    assert.deepEqual(appends, []);
    mock.timers.tick(1);
    assert.deepEqual(appends, ['a\nb\n']);
    batcher.push('c');
    mock.timers.tick(50);
    assert.deepEqual(appends, ['a\nb\n', 'c\n']);
    batcher.dispose();
  });

  it('limits each append to maxChunkChars, one append per interval', () => {
    const appends: string[] = [];
    const batcher = new LogBatcher((t) => { appends.push(t); }, { flushIntervalMs: 10, maxChunkChars: 10 });
    for (const l of ['1234', '5678', '9abc', 'defg']) batcher.push(l);
    mock.timers.tick(10);
    assert.deepEqual(appends, ['1234\n5678\n']);
    mock.timers.tick(10);
    assert.deepEqual(appends, ['1234\n5678\n', '9abc\ndefg\n']);
    batcher.dispose();
  });

  it('drops the oldest lines beyond maxBufferedChars and says how many', () => {
    const appends: string[] = [];
    const batcher = new LogBatcher((t) => { appends.push(t); }, { flushIntervalMs: 10, maxChunkChars: 1000, maxBufferedChars: 30 });
    for (let i = 0; i < 100; i++) batcher.push(`line ${String(i).padStart(3, '0')}`); // 9 chars each
    assert.ok(batcher.buffered <= 30);
    mock.timers.tick(10);
    assert.deepEqual(appends, [`${droppedMarker(97)}\nline 097\nline 098\nline 099\n`]);
    assert.equal(batcher.droppedLines, 97);
    assert.equal(droppedMarker(1), '[… 1 line dropped]');
    batcher.dispose();
  });

  it('keeps memory bounded while an async sink is busy, and resumes when it settles', async () => {
    const appends: string[] = [];
    let release: () => void = () => undefined;
    const batcher = new LogBatcher((t) => { appends.push(t); return new Promise<void>((r) => { release = r; }); },
      { flushIntervalMs: 10, maxChunkChars: 1_000_000, maxBufferedChars: 10_000 });
    batcher.push('first');
    mock.timers.tick(10);
    assert.deepEqual(appends, ['first\n']);
    for (let i = 0; i < 100_000; i++) batcher.push(`line ${i}`);
    mock.timers.tick(1000);
    assert.equal(appends.length, 1, 'no append while the sink is busy');
    assert.ok(batcher.buffered <= 10_000, `buffered ${batcher.buffered}`);
    release();
    await Promise.resolve();
    await Promise.resolve();
    mock.timers.tick(10);
    assert.equal(appends.length, 2);
    assert.match(appends[1]!, /^\[… \d+ lines dropped\]\n/);
    assert.ok(appends[1]!.endsWith('line 99999\n'));
    release();
    batcher.dispose();
  });

  it('drain() waits for an async sink instead of dropping', async () => {
    mock.timers.reset();
    const appends: string[] = [];
    const batcher = new LogBatcher(async (t) => { appends.push(t); await new Promise((r) => setImmediate(r)); }, { maxChunkChars: 20, maxBufferedChars: 1000 });
    for (let i = 0; i < 50; i++) batcher.push(`l${i}`);
    await batcher.drain();
    assert.equal(appends.join(''), Array.from({ length: 50 }, (_, i) => `l${i}\n`).join(''));
    assert.ok(appends.every((a) => a.length <= 20));
    assert.equal(batcher.droppedLines, 0);
    batcher.dispose();
  });

  it('dispose() appends what is left, clears its timer and ignores later lines', () => {
    const appends: string[] = [];
    const batcher = new LogBatcher((t) => { appends.push(t); }, { flushIntervalMs: 1000 });
    batcher.push('last words');
    batcher.dispose();
    assert.deepEqual(appends, ['last words\n']);
    batcher.push('too late');
    mock.timers.tick(5000);
    assert.deepEqual(appends, ['last words\n']);
  });
});
