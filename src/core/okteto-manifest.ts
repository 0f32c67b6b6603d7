// The okteto side of dev mode, as plain data: the manifest's `dev` section, the CLI's version and
// the values `okteto up` writes to its state file. No I/O: adapters/okteto.ts reads the files.
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node, Pair } from 'yaml';
import { InvalidInputError } from './errors.ts';

/** The file names the okteto CLI looks for, in its own order (okteto pkg/discovery/manifest.go). */
export const MANIFEST_NAMES: readonly string[] = ['okteto.yml', 'okteto.yaml', '.okteto/okteto.yml', '.okteto/okteto.yaml'];

/** The oldest okteto CLI T-Env runs; the same minimum as okteto's own VS Code extension. */
export const MIN_OKTETO_VERSION = '3.17.0';

/** One entry of the manifest's `dev` section. */
export interface DevService {
  /** The key under `dev`; okteto takes over the Deployment or StatefulSet of this name. */
  name: string;
  image?: string;
  /** `command: bash` becomes `['bash']`. */
  command?: string[];
  /** `local:remote` folder pairs. */
  sync: string[];
  /** `local:remote` or `local:service:remote` port forwards. */
  forward: string[];
  workdir?: string;
  /** 1-based line of the service's key, for messages that point into the file. */
  line: number;
}

export interface OktetoManifest {
  dev: DevService[];
  /**
   * Top-level keys that only the Okteto platform understands (`deploy`, `build`, …) with their
   * line: `okteto up` on a plain cluster rejects them, so callers can warn before starting.
   */
  platformOnly: { key: string; line: number }[];
}

const PLATFORM_KEYS = new Set(['build', 'deploy', 'destroy', 'dependencies', 'external', 'test', 'icon']);

/**
 * Parses an okteto manifest. `file` names it in errors, which read `okteto.yml:7: …` when the
 * line is known. Malformed YAML, a missing or empty `dev` section and wrongly typed fields are
 * InvalidInputErrors; unknown fields are ignored like the CLI ignores what it does not use.
 */
export function parseOktetoManifest(text: string, file = 'okteto.yml'): OktetoManifest {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lines.linePos(offset).line);
  const fail = (line: number | undefined, message: string, hint?: string): never => {
    throw new InvalidInputError(`${file}${line === undefined ? '' : `:${line}`}: ${message}`, hint ?? 'Fix the okteto manifest and try again.');
  };
  const [parseError] = doc.errors;
  if (parseError) {
    const first = parseError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
    fail(parseError.linePos?.[0].line ?? lineOf(parseError.pos[0]), first);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    fail(undefined, "the manifest is empty; it needs a 'dev' section.", DEV_HINT);
  }
  if (!isMap(root)) return fail(lineOf(root?.range?.[0]), "the manifest must be a mapping with a 'dev' section.", DEV_HINT);

  const platformOnly: { key: string; line: number }[] = [];
  let devPair: Pair<unknown, unknown> | undefined;
  for (const pair of root.items) {
    const key = keyText(pair);
    if (key === 'dev') devPair = pair;
    else if (key !== undefined && PLATFORM_KEYS.has(key)) platformOnly.push({ key, line: lineOf(keyOffset(pair)) });
  }
  if (!devPair) {
    const v1 = root.items.some((p) => keyText(p) === 'name') && root.items.some((p) => ['image', 'sync', 'command'].includes(keyText(p) ?? ''));
    fail(undefined, v1
      ? "the manifest has no 'dev' section: it looks like a v1 manifest (top-level 'name'), which T-Env does not support."
      : "the manifest has no 'dev' section.", DEV_HINT);
  }
  const devNode = devPair!.value as Node | null;
  if (!isMap(devNode) || devNode.items.length === 0) {
    return fail(lineOf(keyOffset(devPair!)), "the 'dev' section must map service names to their settings.", DEV_HINT);
  }
  const dev = devNode.items.map((pair) => devService(pair, lineOf, fail));
  return { dev, platformOnly };
}

const DEV_HINT = 'Add a dev section, e.g. "dev:\\n  api:\\n    sync:\\n      - .:/app" (https://www.okteto.com/docs/reference/okteto-manifest/#dev-object-optional).';

type Fail = (line: number | undefined, message: string, hint?: string) => never;

function keyText(pair: Pair<unknown, unknown>): string | undefined {
  const key = pair.key;
  if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

function keyOffset(pair: Pair<unknown, unknown>): number | undefined {
  const key = pair.key as Node | null;
  return key?.range?.[0];
}

function devService(pair: Pair<unknown, unknown>, lineOf: (o: number | undefined) => number, fail: Fail): DevService {
  const line = lineOf(keyOffset(pair));
  const name = keyText(pair);
  if (!name) return fail(line, 'a dev service name must be a plain string.');
  const value = pair.value as Node | null;
  // `api:` with nothing below is a service with all defaults, as in the CLI.
  if (value === null || (isScalar(value) && value.value === null)) return { name, sync: [], forward: [], line };
  if (!isMap(value)) return fail(line, `dev service "${name}" must be a mapping of settings.`);
  const service: DevService = { name, sync: [], forward: [], line };
  for (const field of value.items) {
    const key = keyText(field);
    const node = field.value as Node | null;
    const at = lineOf(node?.range?.[0] ?? keyOffset(field));
    switch (key) {
      case 'image': {
        // `image: name` or `image: {name: …, context: …}` (the second builds; only the name matters here).
        const image = isMap(node) ? node.get('name') : scalarValue(node);
        if (typeof image !== 'string' || image === '') return fail(at, `dev.${name}.image must be an image name.`);
        service.image = image;
        break;
      }
      case 'command': {
        const command = stringList(node);
        if (!command || command.length === 0) return fail(at, `dev.${name}.command must be a string or a list of strings.`);
        service.command = command;
        break;
      }
      case 'workdir': {
        const workdir = scalarValue(node);
        if (typeof workdir !== 'string' || workdir === '') return fail(at, `dev.${name}.workdir must be a path.`);
        service.workdir = workdir;
        break;
      }
      case 'sync': {
        // A list of `local:remote`, or `{folders: [...], verbose: …}`.
        const folders = isMap(node) ? node.get('folders', true) as Node | undefined : node;
        const sync = stringList(folders ?? null, true);
        if (!sync || sync.some((s) => !s.includes(':'))) return fail(at, `dev.${name}.sync must list folders as "local:remote".`);
        service.sync = sync;
        break;
      }
      case 'forward': {
        const forward = forwards(node);
        if (!forward) return fail(at, `dev.${name}.forward must list ports as "local:remote" or "local:service:remote".`);
        service.forward = forward;
        break;
      }
      default:
        break;
    }
  }
  return service;
}

function scalarValue(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** A string becomes a one-element list; a list must hold only scalars. */
function stringList(node: Node | null, listOnly = false): string[] | undefined {
  if (!listOnly && isScalar(node) && typeof node.value === 'string' && node.value !== '') return [node.value];
  if (!isSeq(node)) return undefined;
  const out: string[] = [];
  for (const item of node.items) {
    const value = scalarValue(item as Node);
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    out.push(String(value));
  }
  return out;
}

function forwards(node: Node | null): string[] | undefined {
  if (!isSeq(node)) return undefined;
  const out: string[] = [];
  for (const item of node.items) {
    if (isMap(item)) {
      // `{localPort: 8080, remotePort: 80, name: svc}`
      const local = item.get('localPort');
      const remote = item.get('remotePort');
      const service = item.get('name');
      if (typeof local !== 'number' || typeof remote !== 'number') return undefined;
      out.push(typeof service === 'string' ? `${local}:${service}:${remote}` : `${local}:${remote}`);
      continue;
    }
    const value = scalarValue(item as Node);
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !/^\d+(:[a-z0-9.-]+)?:\d+$/i.test(text)) return undefined;
    out.push(text);
  }
  return out;
}

/** Finds a dev service by name; the error names the file and the services it does define. */
export function findDevService(manifest: OktetoManifest, name: string, file = 'okteto.yml'): DevService {
  const found = manifest.dev.find((d) => d.name === name);
  if (found) return found;
  const known = manifest.dev.map((d) => d.name).join(', ');
  throw new InvalidInputError(`${file}: development container "${name}" doesn't exist (the manifest defines: ${known}).`,
    `Add "${name}" under "dev:" in ${file}, or pick one of: ${known}.`);
}

/** The kind and name of a workload, as the environment model has them. */
export interface WorkloadRef {
  kind: string;
  name: string;
}

/**
 * The Deployment or StatefulSet a dev service takes over (okteto matches by name). A service
 * without one is an error naming the manifest line, so the user knows which entry to fix.
 */
export function matchDevWorkload(service: DevService, workloads: readonly WorkloadRef[], environment: string, file = 'okteto.yml'): WorkloadRef {
  const match = workloads.find((w) => w.name === service.name && (w.kind === 'Deployment' || w.kind === 'StatefulSet'));
  if (match) return match;
  const candidates = workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet').map((w) => w.name);
  throw new InvalidInputError(
    `${file}:${service.line}: dev service "${service.name}" has no Deployment or StatefulSet named "${service.name}" in environment "${environment}".`,
    candidates.length > 0 ? `Rename the service to one of: ${candidates.join(', ')}.` : `The environment "${environment}" has no Deployments or StatefulSets.`,
  );
}

/** The dev services of the manifest that have a workload in the environment. */
export function devServicesInEnvironment(manifest: OktetoManifest, workloads: readonly WorkloadRef[]): DevService[] {
  return manifest.dev.filter((d) => workloads.some((w) => w.name === d.name && (w.kind === 'Deployment' || w.kind === 'StatefulSet')));
}

/** `okteto version 3.21.0` (or just `3.21.0`) → `3.21.0`; undefined when there is no version. */
export function parseOktetoVersion(stdout: string): string | undefined {
  const match = /(?:^|\s|v)(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(stdout.trim());
  return match?.[1];
}

/**
 * Compares `X.Y.Z[-pre]` versions: negative, zero or positive. A pre-release sorts before its
 * release (3.17.0-rc1 < 3.17.0), as in semver.
 */
export function compareVersions(a: string, b: string): number {
  const split = (v: string): { core: number[]; pre: string | undefined } => {
    const [core = '', pre] = v.replace(/^v/, '').split(/-(.*)/s, 2);
    return { core: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre: pre || undefined };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.max(x.core.length, y.core.length, 3); i++) {
    const d = (x.core[i] ?? 0) - (y.core[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre.localeCompare(y.pre, 'en', { numeric: true });
}

/** The values `okteto up` writes to `okteto.state`, in the order it goes through them. */
export const OKTETO_PROGRESS_STATES = ['activating', 'starting', 'attaching', 'pulling', 'startingSync', 'synchronizing', 'ready'] as const;

export type OktetoState = typeof OKTETO_PROGRESS_STATES[number] | 'failed';

export interface ParsedOktetoState {
  state: OktetoState;
  /** The text after `failed:`, when there is one. */
  message: string | undefined;
}

/** Parses the state file's content; undefined for an empty or unknown value (e.g. mid-write). */
export function parseOktetoState(text: string): ParsedOktetoState | undefined {
  const value = text.trim();
  if (value === 'failed' || value.startsWith('failed:')) {
    const message = value.slice('failed:'.length).trim();
    return { state: 'failed', message: message === '' ? undefined : message };
  }
  return (OKTETO_PROGRESS_STATES as readonly string[]).includes(value) ? { state: value as OktetoState, message: undefined } : undefined;
}

const STATE_LABELS: Record<OktetoState, string> = {
  activating: 'activating',
  starting: 'starting the dev container',
  attaching: 'attaching the volume',
  pulling: 'pulling images',
  startingSync: 'starting file sync',
  synchronizing: 'synchronizing files',
  ready: 'ready',
  failed: 'failed',
};

/** What to show for a state, e.g. in the status bar: 'synchronizing' → 'synchronizing files'. */
export function oktetoStateLabel(state: OktetoState): string {
  return STATE_LABELS[state];
}

/** Position in the `up` sequence (0 = activating … 6 = ready); -1 for failed. */
export function oktetoStateRank(state: OktetoState): number {
  return (OKTETO_PROGRESS_STATES as readonly string[]).indexOf(state);
}
