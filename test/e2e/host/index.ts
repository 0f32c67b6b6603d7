// Entry of the in-host suites (bundled with mocha by ../host-bundle.ts): runs every `*.test.js`
// bundled next to it with mocha, inside the extension host of a real VS Code.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { report } from './report.ts';

/** Called by VS Code's test runner (`extensionTestsPath`); rejects if any test fails. */
export async function run(): Promise<void> {
  const grep = process.env['T_ENV_E2E_GREP'];
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: 60_000,
    ...(grep ? { grep } : {}),
  });
  // The bundle is CommonJS: __dirname is the bundle directory, holding one `<suite>.test.js` per suite.
  const files = fs.readdirSync(__dirname).filter((file) => file.endsWith('.test.js')).sort();
  if (files.length === 0) throw new Error(`no *.test.js suites next to ${__filename}`);
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  // Mocha's reporters print through Base.consoleLog; route it to the terminal of the e2e runner.
  const consoleLog = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = report;
  try {
    const failures = await new Promise<number>((resolve, reject) => {
      try {
        mocha.run(resolve);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    if (failures > 0) throw new Error(`${failures} in-host test(s) failed`); // wording matched by ../host-runner.ts
  } finally {
    Mocha.reporters.Base.consoleLog = consoleLog;
  }
}
