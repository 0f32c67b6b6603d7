// Debian packages the e2e run needs: chromium (driven by Playwright) and libkrb5-dev (headers for
// code-server's `kerberos` native module). Installed with apt-get when missing and running as root (CI).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { artifactsDir } from './paths.ts';
import { log } from './log.ts';
import { runLogged } from './processes.ts';

export const chromiumPath = '/usr/bin/chromium';
const kerberosHeader = '/usr/include/gssapi/gssapi.h';

/** Ensures /usr/bin/chromium exists (and the kerberos headers, in the same apt-get call); returns its path. */
export async function ensureChromium(): Promise<string> {
  await ensureDebianPackages();
  return chromiumPath;
}

/** Ensures the headers code-server's native build needs. */
export async function ensureKerberosHeaders(): Promise<void> {
  await ensureDebianPackages();
}

/** Installs chromium and libkrb5-dev in one apt-get call if either is missing. */
async function ensureDebianPackages(): Promise<void> {
  const missing = [
    ...(fs.existsSync(chromiumPath) ? [] : ['chromium']),
    ...(fs.existsSync(kerberosHeader) ? [] : ['libkrb5-dev']),
  ];
  if (missing.length === 0) return;
  const command = `apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing ${missing.join(', ')} (${missing.includes('chromium') ? chromiumPath : kerberosHeader}); install with: sudo ${command}`);
  }
  fs.mkdirSync(artifactsDir, { recursive: true });
  const logFile = path.join(artifactsDir, 'apt-get.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('apt-get', `installing ${missing.join(', ')} (log: ${logFile})`);
  try {
    await runLogged('apt-get', ['install', '-y', ...missing], { cwd: os.tmpdir(), env, logFile, label: 'apt-get install' });
  } catch {
    // A fresh machine may have no package lists yet.
    await runLogged('apt-get', ['update'], { cwd: os.tmpdir(), env, logFile, label: 'apt-get update' });
    await runLogged('apt-get', ['install', '-y', ...missing], { cwd: os.tmpdir(), env, logFile, label: 'apt-get install' });
  }
  for (const file of [chromiumPath, kerberosHeader]) {
    if (!fs.existsSync(file)) throw new Error(`apt-get install ${missing.join(' ')} succeeded but ${file} is still missing`);
  }
}
