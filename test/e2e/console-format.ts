// Browser console messages as plain text. The workbench logs with a styled prefix, such as
// `('%c INFO', 'color: #33f', format, ...args)`, so the format strings have to be applied here.
import util from 'node:util';
import type { ConsoleMessage, Page } from 'playwright-core';

/** Applies the message's `%s`/`%d`/`%o` formats to its arguments (`%c` CSS is dropped). */
export async function formatConsoleMessage(message: ConsoleMessage): Promise<string> {
  const args = message.args();
  if (args.length === 0) return message.text();
  const values = await Promise.all(args.map(async (arg): Promise<unknown> => {
    try {
      return await arg.jsonValue();
    } catch {
      // Not serializable (a function, a cyclic object): its string form, if the page is still there.
      return arg.evaluate((value) => String(value)).catch(() => '[unavailable]');
    }
  }));
  return formatConsoleValues(values);
}

/**
 * Like the browser console, but every string argument may be a format: the workbench's logger
 * puts its own `%c` prefix first and the caller's format string second.
 */
export function formatConsoleValues(values: readonly unknown[]): string {
  const parts: string[] = [];
  let rest = values;
  while (rest.length > 0) {
    const [first, ...others] = rest;
    if (typeof first !== 'string') {
      parts.push(util.format(first));
      rest = others;
      continue;
    }
    const consumed = (first.match(/%[%sdifjoOc]/g) ?? []).filter((spec) => spec !== '%%').length;
    parts.push(util.format(first, ...others.slice(0, consumed)));
    rest = others.slice(consumed);
  }
  return parts.join(' ').trim();
}

/** The text after `marker`, or undefined if the message does not carry it (the workbench's own log lines). */
export function markedText(text: string, marker: string): string | undefined {
  const at = text.indexOf(marker);
  return at === -1 ? undefined : text.slice(at + marker.length);
}

/**
 * Calls `listener` with each console message's formatted text, in order (formatting is async).
 * The returned function resolves once every message so far has been delivered.
 */
export function onConsoleText(page: Page, listener: (text: string, message: ConsoleMessage) => void): () => Promise<void> {
  let chain = Promise.resolve();
  page.on('console', (message) => {
    chain = chain.then(async () => listener(await formatConsoleMessage(message), message)).catch(() => undefined);
  });
  return () => chain;
}
