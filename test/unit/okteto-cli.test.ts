// Talking to the okteto CLI as plain data: argument arrays, reading its output, the words for a
// failed `up`. No okteto and no files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors.ts';
import {
  lastLines, oktetoDownArgs, oktetoErrorMessage, oktetoUpArgs, OUTPUT_TAIL_LINES, OutputTail, secondsText, stripAnsi, upEndedFailure, upFailedStateMessage, upTimeoutMessage,
} from '../../src/core/okteto-cli.ts';
import type { UpEnd } from '../../src/core/okteto-cli.ts';

const target = { service: 'api', manifest: '/w/okteto.yml', namespace: 'dev-alice' };

describe('okteto argument arrays', () => {
  it('builds up and down with one element per argument, the context only when given', () => {
    assert.deepEqual(oktetoUpArgs(target), ['up', 'api', '-f', '/w/okteto.yml', '-n', 'dev-alice']);
    assert.deepEqual(oktetoUpArgs({ ...target, context: 'kind-t', manifest: '/a b/okteto.yml' }), ['up', 'api', '-f', '/a b/okteto.yml', '-n', 'dev-alice', '-c', 'kind-t']);
    assert.deepEqual(oktetoDownArgs(target), ['down', 'api', '-f', '/w/okteto.yml', '-n', 'dev-alice']);
    assert.deepEqual(oktetoDownArgs({ ...target, context: 'c' }, { volumes: true }), ['down', 'api', '-f', '/w/okteto.yml', '-n', 'dev-alice', '-c', 'c', '-v']);
  });

  it('refuses a service or namespace okteto would read as a flag, or an empty one', () => {
    assert.throws(() => oktetoUpArgs({ ...target, service: '--help' }), (e: unknown) => e instanceof InvalidInputError && /"--help" is not a valid service name/.test(e.message));
    assert.throws(() => oktetoDownArgs({ ...target, namespace: '-n' }), (e: unknown) => e instanceof InvalidInputError && /not a valid namespace name/.test(e.message));
    assert.throws(() => oktetoUpArgs({ ...target, service: '' }), InvalidInputError);
  });
});

describe('reading okteto output', () => {
  it('strips colour and OSC sequences, keeping the text', () => {
    assert.equal(stripAnsi('\u001b[31m x \u001b[0m bad \u001b]8;;https://x\u0007link\u001b]8;;\u0007'), ' x  bad link');
    assert.equal(stripAnsi('plain'), 'plain');
  });

  it('says seconds whole when they are, else with one decimal', () => {
    assert.equal(secondsText(5000), '5');
    assert.equal(secondsText(1500), '1.5');
    assert.equal(secondsText(250), '0.3');
  });

  it('keeps the last non-blank lines', () => {
    assert.deepEqual(lastLines('a\r\n\n  \nb\nc\n', 2), ['b', 'c']);
    assert.deepEqual(lastLines('', 3), []);
  });

  it("finds okteto's last ` x  <message>` line, in text or lines, coloured or not", () => {
    assert.equal(oktetoErrorMessage(' i  Using dev-alice\n x  first\nmore\n \u001b[31mx\u001b[0m  second problem \n'), 'second problem');
    assert.equal(oktetoErrorMessage(['x  Development container "web" doesn\'t exist', 'trailing']), 'Development container "web" doesn\'t exist');
    assert.equal(oktetoErrorMessage('no error here\nxylophone'), undefined);
    assert.equal(oktetoErrorMessage([]), undefined);
  });
});

describe('OutputTail', () => {
  it('strips a colour sequence split across chunks, and skips blank lines', () => {
    const tail = new OutputTail();
    for (const chunk of ['\u001b[3', '2mready\u001b[0m\r\n', '\n   \nsecond', ' line\nunfinish', 'ed']) tail.push(chunk);
    assert.deepEqual(tail.last(), ['ready', 'second line', 'unfinished']);
    assert.deepEqual(tail.last(2), ['second line', 'unfinished']);
  });

  it('holds at most `keep` complete lines and defaults to OUTPUT_TAIL_LINES', () => {
    const tail = new OutputTail(5);
    tail.push(Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
    assert.deepEqual(tail.last(100), ['line 45', 'line 46', 'line 47', 'line 48', 'line 49']);
    const big = new OutputTail();
    big.push(Array.from({ length: 50 }, (_, i) => `l${i}\n`).join(''));
    assert.equal(big.last().length, OUTPUT_TAIL_LINES);
    assert.equal(big.last()[0], 'l30');
  });
});

describe('the words for a failed okteto up', () => {
  const end = (over: Partial<UpEnd>): UpEnd => ({ stateLabel: undefined, hangup: false, crashed: false, pid: undefined, exitCode: undefined, lastLines: [], ...over });

  it('a closed terminal is a hangup that leaves dev mode on', () => {
    assert.deepEqual(upEndedFailure(end({ hangup: true, exitCode: 129, stateLabel: 'synchronizing files', lastLines: [' x  ignored'] })),
      { reason: 'hangup', message: 'okteto up was closed (SIGHUP) while synchronizing files: dev mode left running; Stop Dev to restore.' });
  });

  it("prefers okteto's own error line, then a crash with its pid, then the exit code", () => {
    assert.deepEqual(upEndedFailure(end({ exitCode: 1, stateLabel: 'starting the dev container', lastLines: [' x  Namespace not found'] })),
      { reason: 'exited', message: 'okteto up failed while starting the dev container: Namespace not found' });
    assert.deepEqual(upEndedFailure(end({ crashed: true, pid: 4242, stateLabel: 'pulling images', lastLines: ['some output'] })),
      { reason: 'crashed', message: 'okteto up (pid 4242) stopped unexpectedly while pulling images.' });
    assert.deepEqual(upEndedFailure(end({ exitCode: 2 })), { reason: 'exited', message: 'okteto up exited before it started (exit code 2).' });
    assert.deepEqual(upEndedFailure(end({})), { reason: 'exited', message: 'okteto up exited before it started.' });
  });

  it('names the last state on a timeout, and the text of a failed state', () => {
    assert.equal(upTimeoutMessage(300_000, 'synchronizing files'), 'okteto up was not ready after 300 s (last state: synchronizing files).');
    assert.equal(upTimeoutMessage(1500, undefined), 'okteto up was not ready after 1.5 s (it never reported a state).');
    assert.equal(upFailedStateMessage('pull access denied'), 'okteto up failed: pull access denied');
    assert.equal(upFailedStateMessage(undefined), 'okteto up failed.');
  });
});
