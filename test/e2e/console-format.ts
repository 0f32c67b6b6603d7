// Browser console messages as plain text. The extension host forwards `console.log` to the page as
// `('%c[Extension Host] %s', 'color: blue', ...args)`, so the format string has to be applied here.
import util from 'node:util';
import type { ConsoleMessage } from 'playwright-core';

/** Applies the message's `%s`/`%d`/`%o` format to its arguments (`%c` CSS is dropped). */
export async function formatConsoleMessage(message: ConsoleMessage): Promise<string> {
  const args = message.args();
  if (args.length === 0) return message.text();
  const values = await Promise.all(args.map(async (arg): Promise<unknown> => {
    try {
      return await arg.jsonValue();
    } catch {
      return arg.toString(); // not serializable, or the page is gone
    }
  }));
  return util.format(...values);
}

const extensionHostPrefix = /^\[Extension Host\] ?/;

/** The text without its `[Extension Host]` prefix, or undefined if the message is the workbench's own. */
export function extensionHostText(text: string): string | undefined {
  return extensionHostPrefix.test(text) ? text.replace(extensionHostPrefix, '') : undefined;
}
