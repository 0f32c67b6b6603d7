// Terminal output for the `t` CLI: colour only on a TTY without NO_COLOR, a spinner on a TTY and
// plain progress lines otherwise, errors as one line plus a hint on stderr.
import { errorSummary } from '../core/errors.ts';
import { sanitizeText } from '../core/sanitize.ts';

export interface Output {
  readonly json: boolean;
  /** stdout is a terminal that takes colour (TTY, no NO_COLOR, not TERM=dumb). */
  readonly color: boolean;
  /** Prints one line; control characters (cluster text is untrusted) are shown escaped, colour kept when on. */
  line(text: string): void;
  data(value: unknown): void;
  progress(text: string): Progress;
  error(error: unknown): void;
  bold(text: string): string;
  dim(text: string): string;
}

export interface Progress {
  update(text: string): void;
  done(text?: string): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createOutput(options: { json: boolean; stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream; env?: NodeJS.ProcessEnv }): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const color = stdout.isTTY === true && !('NO_COLOR' in env && env['NO_COLOR'] !== '') && env['TERM'] !== 'dumb';
  const errColor = stderr.isTTY === true && !('NO_COLOR' in env && env['NO_COLOR'] !== '');
  const paint = (on: boolean, code: string, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    json: options.json,
    color,
    // Our own multi-line text (help) keeps its line breaks; every control character inside a line
    // is shown escaped. Cluster values are quoted with their own line breaks escaped at the source.
    line(text) { stdout.write(`${text.split('\n').map((l) => sanitizeText(l, { keepSgr: color })).join('\n')}\n`); },
    data(value) { stdout.write(`${JSON.stringify(value, null, 2)}\n`); },
    bold: (text) => paint(color, '1', text),
    dim: (text) => paint(color, '2', text),
    progress(text) {
      // Progress goes to stderr so that stdout stays clean for --json and pipes.
      if (!stderr.isTTY) {
        stderr.write(`${sanitizeText(text)}\n`);
        return {
          update(next) { if (next !== text) { text = next; stderr.write(`${sanitizeText(next)}\n`); } },
          done(final) { if (final) stderr.write(`${sanitizeText(final)}\n`); },
        };
      }
      let frame = 0;
      const render = (): void => { stderr.write(`\r\u001b[2K${paint(errColor, '36', SPINNER[frame++ % SPINNER.length]!)} ${sanitizeText(text)}`); };
      render();
      const timer = setInterval(render, 80);
      return {
        update(next) { text = next; render(); },
        done(final) {
          clearInterval(timer);
          stderr.write('\r\u001b[2K');
          if (final) stderr.write(`${paint(errColor, '32', '✔')} ${sanitizeText(final)}\n`);
        },
      };
    },
    error(error) {
      const { message, hint } = errorSummary(error);
      stderr.write(`${paint(errColor, '31', 'error:')} ${message}\n`);
      if (hint) stderr.write(`${paint(errColor, '2', `hint: ${hint}`)}\n`);
    },
  };
}
