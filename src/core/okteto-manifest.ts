// The okteto side of dev mode, as plain data: the manifest's `dev` section, the CLI's version and
// the values `okteto up` writes to its state file. No I/O: adapters/okteto-manifest.ts and
// adapters/okteto-state-folder.ts read the files.
import path from 'node:path';
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { InvalidInputError } from './errors.ts';
import { isScalableKind } from './kinds.ts';
import type { WorkloadRef } from './kinds.ts';

/** The file names the okteto CLI looks for, in its own order (okteto pkg/discovery/manifest.go). */
export const MANIFEST_NAMES: readonly string[] = ['okteto.yml', 'okteto.yaml', '.okteto/okteto.yml', '.okteto/okteto.yaml'];

/** The oldest okteto CLI T-Env runs; the same minimum as okteto's own VS Code extension. */
export const MIN_OKTETO_VERSION = '3.17.0';

/** Manifests larger than this are refused before parsing (a manifest is a few KB). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** One entry of the manifest's `dev` section. */
export interface DevService {
  /** The key under `dev`: what `okteto up <key>` / `okteto down <key>` select. */
  key: string;
  /**
   * The dev name: `name:` when set, else the key (okteto pkg/model/manifest.go `setDefaults`). It
   * names the workload taken over (without a selector) and the state folder ~/.okteto/<ns>/<name>.
   */
  name: string;
  /** Labels that pick the workload instead of the name (okteto pkg/k8s/deployments/crud.go `GetByDev`). */
  selector: Record<string, string> | undefined;
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
  /** The manifest's text, for deriving the dev-only manifest okteto is handed. */
  text: string;
  /**
   * Top-level keys that only the Okteto platform understands (`deploy`, `build`, …) with their
   * line: `okteto up` on a plain cluster rejects them, so callers can warn before starting.
   */
  platformOnly: { key: string; line: number }[];
}

/** okteto pkg/model/manifest.go `ValidateForCLIOnly`: sections a plain cluster (no Okteto platform) refuses. */
const PLATFORM_KEYS = new Set(['build', 'deploy', 'destroy', 'dependencies', 'external', 'test', 'icon', 'name']);
/** Top-level fields of an okteto manifest (okteto pkg/model/manifest.go `Manifest`). */
const MANIFEST_KEYS = new Set([...PLATFORM_KEYS, 'dev', 'namespace', 'context', 'forward']);
/** The fields of a dev entry (okteto pkg/model/dev.go `Dev`); okteto parses strictly, so must we. */
export const DEV_FIELDS: readonly string[] = ['resources', 'selector', 'persistentVolume', 'securityContext', 'probes', 'nodeSelector', 'metadata',
  'affinity', 'image', 'lifecycle', 'replicas', 'initContainer', 'workdir', 'name', 'container', 'serviceAccount', 'priorityClassName',
  'interface', 'mode', 'imagePullPolicy', 'tolerations', 'command', 'forward', 'reverse', 'externalVolumes', 'secrets', 'volumes', 'envFiles',
  'environment', 'services', 'args', 'sync', 'timeout', 'remote', 'sshServerPort', 'autocreate'];

/**
 * Parses an okteto manifest as strictly as okteto 3.x does (`yaml.UnmarshalStrict`), so that
 * what okteto would refuse is refused here, before anything is spawned. `file` names it in
 * errors, which read `okteto.yml:7: …`. Malformed YAML, an unknown or wrongly typed field, a
 * missing `dev` section (a v1 manifest: the hint shows its `dev:` form) are InvalidInputErrors.
 * Platform sections are allowed and listed in `platformOnly`: see devOnlyManifest.
 */
export function parseOktetoManifest(text: string, file = 'okteto.yml'): OktetoManifest {
  if (text.length > MAX_MANIFEST_BYTES) {
    throw new InvalidInputError(`${file}: the okteto manifest is ${(text.length / 1024 / 1024).toFixed(1)} MB, over the ${MAX_MANIFEST_BYTES / 1024 / 1024} MB limit.`,
      'Point tenv.manifestPath (or -f) at the okteto manifest itself.');
  }
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
  const compose = root.items.find((p) => keyText(p) === 'services');
  if (compose) return fail(lineOf(keyOffset(compose)), 'this is a Docker Compose file: on a plain cluster okteto only reads a manifest with a \'dev\' section.', DEV_HINT);
  const devKeys = root.items.filter((p) => DEV_FIELDS.includes(keyText(p) ?? '') && keyText(p) !== 'name' && !MANIFEST_KEYS.has(keyText(p) ?? ''));
  if (!root.items.some((p) => keyText(p) === 'dev') && devKeys.length > 0) {
    // A v1 manifest: one dev entry at the top level. okteto 3.x reads it as v2 and fails.
    return fail(undefined, "this is a v1 okteto manifest (no 'dev' section), which okteto 3.x no longer reads.", `Move its fields under "dev:", e.g.\n${v1AsDev(root)}`);
  }
  for (const pair of root.items) {
    const key = keyText(pair);
    if (key === undefined || !MANIFEST_KEYS.has(key)) return fail(lineOf(keyOffset(pair)), `field '${key ?? '?'}' is not a property of the okteto manifest.${didYouMean(key ?? '', [...MANIFEST_KEYS])}`);
    if (key === 'dev') devPair = pair;
    else if (PLATFORM_KEYS.has(key) && !isEmptyNode(pair.value)) platformOnly.push({ key, line: lineOf(keyOffset(pair)) });
  }
  if (!devPair) fail(undefined, "the manifest has no 'dev' section.", DEV_HINT);
  const devNode = devPair!.value as Node | null;
  if (!isMap(devNode) || devNode.items.length === 0) {
    return fail(lineOf(keyOffset(devPair!)), "the 'dev' section must map service names to their settings.", DEV_HINT);
  }
  const dev = devNode.items.map((pair) => devService(pair, lineOf, fail));
  return { dev, platformOnly, text };
}

function isEmptyNode(node: Node | null): boolean {
  if (node === null) return true;
  if (isScalar(node)) return node.value === null || node.value === '';
  return (isMap(node) || isSeq(node)) && node.items.length === 0;
}

/** ` Did you mean "sync"?` for a near miss (okteto's wording for unknown dev fields), else ''. */
function didYouMean(word: string, known: readonly string[]): string {
  let best: { field: string; d: number } | undefined;
  for (const field of known) {
    const d = editDistance(word.toLowerCase(), field.toLowerCase());
    if (!best || d < best.d) best = { field, d };
  }
  return best && best.d <= 2 ? ` Did you mean "${best.field}"?` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

/** A v1 manifest rewritten under `dev:` (its `name` as the key), for the error's hint. */
function v1AsDev(root: YAMLMap): string {
  const name = root.get('name');
  const body = root.toJSON() as Record<string, unknown>;
  delete body['name'];
  return new Document({ dev: { [typeof name === 'string' && name !== '' ? name : 'api']: body } }).toString().trimEnd();
}

const DEV_HINT = 'Put the services under a dev section, e.g. "dev:\\n  api:\\n    sync:\\n      - .:/app" (https://www.okteto.com/docs/reference/okteto-manifest/#dev-object-optional).';

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
  if (value === null || (isScalar(value) && value.value === null)) return { key: name, name, selector: undefined, sync: [], forward: [], line };
  if (!isMap(value)) return fail(line, `dev service "${name}" must be a mapping of settings.`);
  const service: DevService = { key: name, name, selector: undefined, sync: [], forward: [], line };
  for (const field of value.items) {
    const key = keyText(field);
    const node = field.value as Node | null;
    const at = lineOf(node?.range?.[0] ?? keyOffset(field));
    if (key === undefined || !DEV_FIELDS.includes(key)) {
      // okteto's own words for it (pkg/model/dev.go, strict unmarshalling).
      return fail(lineOf(keyOffset(field)), `field '${key ?? '?'}' is not a property of the 'dev' object.${didYouMean(key ?? '', DEV_FIELDS)}`,
        `Fix dev.${name}; its fields are listed at https://www.okteto.com/docs/reference/okteto-manifest/#dev-object-optional`);
    }
    switch (key) {
      case 'image': {
        // okteto 3.x: a string (building an image belongs in the platform's `build` section).
        const image = scalarValue(node);
        if (typeof image !== 'string' || image === '') return fail(at, `dev.${name}.image must be an image name (a string).`);
        service.image = image;
        break;
      }
      case 'name': {
        const devName = scalarValue(node);
        if (typeof devName !== 'string' || devName === '') return fail(at, `dev.${name}.name must be a string.`);
        service.name = devName;
        break;
      }
      case 'selector': {
        const labels = isMap(node) ? node.toJSON() as Record<string, unknown> : undefined;
        if (!labels || Object.values(labels).some((v) => typeof v !== 'string' && typeof v !== 'number')) {
          return fail(at, `dev.${name}.selector must map label names to values.`);
        }
        service.selector = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
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

/** Finds a dev service by its key (what `okteto up <key>` takes); the error names the ones defined. */
export function findDevService(manifest: OktetoManifest, name: string, file = 'okteto.yml'): DevService {
  const found = manifest.dev.find((d) => d.key === name);
  if (found) return found;
  const known = manifest.dev.map((d) => d.key).join(', ');
  throw new InvalidInputError(`${file}: development container "${name}" doesn't exist (the manifest defines: ${known}).`,
    `Add "${name}" under "dev:" in ${file}, or pick one of: ${known}.`);
}

/** A workload of the environment with its labels, for selectors. */
export interface LabelledWorkload extends WorkloadRef {
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

const CLONE_LABEL = 'dev.okteto.com/clone';

/**
 * The workloads a dev entry could take over, as okteto looks them up (pkg/k8s/deployments/crud.go
 * and statefulsets/crud.go `GetByDev`): by its dev name without a selector, else every Deployment
 * (then StatefulSet) carrying all the selector's labels, okteto's own `-okteto` clones excluded.
 */
function candidatesFor(service: DevService, workloads: readonly LabelledWorkload[]): LabelledWorkload[] {
  const apps = workloads.filter((w) => isScalableKind(w.kind));
  const selector = service.selector;
  if (!selector || Object.keys(selector).length === 0) return apps.filter((w) => w.name === service.name);
  const matching = apps.filter((w) => w.labels?.[CLONE_LABEL] === undefined && Object.entries(selector).every(([k, v]) => w.labels?.[k] === v));
  const deployments = matching.filter((w) => w.kind === 'Deployment');
  return deployments.length > 0 ? deployments : matching;
}

function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * The Deployment or StatefulSet a dev service takes over, exactly as okteto picks it. None, or
 * several for a selector, is an error naming the manifest line, so the user knows what to fix.
 */
export function matchDevWorkload(service: DevService, workloads: readonly LabelledWorkload[], environment: string, file = 'okteto.yml'): WorkloadRef {
  const found = candidatesFor(service, workloads);
  if (found.length === 1) return found[0]!;
  const where = `${file}:${service.line}: dev service "${service.key}"`;
  if (service.selector && Object.keys(service.selector).length > 0) {
    const labels = selectorText(service.selector);
    if (found.length > 1) {
      throw new InvalidInputError(`${where}: its selector ${labels} matches ${found.length} workloads in environment "${environment}" (${found.map((w) => w.name).join(', ')}); okteto needs exactly one.`,
        'Make the selector match a single Deployment or StatefulSet.');
    }
    throw new InvalidInputError(`${where}: no Deployment or StatefulSet in environment "${environment}" has the labels ${labels}.`, 'Fix the selector in the manifest.');
  }
  const candidates = workloads.filter((w) => isScalableKind(w.kind)).map((w) => w.name);
  throw new InvalidInputError(
    `${where} has no Deployment or StatefulSet named "${service.name}" in environment "${environment}".`,
    candidates.length > 0 ? `Rename it (or set its name: or selector:) to one of: ${candidates.join(', ')}.` : `The environment "${environment}" has no Deployments or StatefulSets.`,
  );
}

/** The dev services of the manifest that have exactly one workload in the environment. */
export function devServicesInEnvironment(manifest: OktetoManifest, workloads: readonly LabelledWorkload[]): DevService[] {
  return manifest.dev.filter((d) => candidatesFor(d, workloads).length === 1);
}

/** The dev service that takes over this workload (a tree node), or undefined when none does. */
export function devServiceForWorkload(manifest: OktetoManifest, workload: string, workloads: readonly LabelledWorkload[]): DevService | undefined {
  return manifest.dev.find((d) => {
    const found = candidatesFor(d, workloads);
    return found.length === 1 && found[0]!.name === workload;
  });
}

/**
 * The manifest okteto is handed on a plain cluster, where it refuses platform sections
 * (`ValidateForCLIOnly`, okteto pkg/model/manifest.go): the `dev` section alone, with relative
 * local paths (sync folders, envFiles, secrets) made absolute from `manifestDir`, so that the
 * derived file resolves them the same wherever it is written. Undefined when okteto can read the
 * manifest as it is.
 */
export function devOnlyManifest(manifest: OktetoManifest, manifestDir: string): string | undefined {
  if (manifest.platformOnly.length === 0) return undefined;
  const doc = parseDocument(manifest.text);
  const dev = doc.get('dev', true);
  if (!isMap(dev)) return undefined;
  const absolute = (local: string): string => (path.isAbsolute(local) || local.startsWith('~') || local.startsWith('$') ? local : path.join(manifestDir, local));
  const rewrite = (seq: unknown, pair: boolean): void => {
    if (!isSeq(seq)) return;
    for (const item of seq.items) {
      if (!isScalar(item) || typeof item.value !== 'string') continue;
      if (!pair) { item.value = absolute(item.value); continue; }
      const colon = item.value.search(/:(?!\\)/);
      // `C:\src:/app` keeps its drive letter: the separator is the first colon not followed by a backslash.
      if (colon > 0) item.value = `${absolute(item.value.slice(0, colon))}${item.value.slice(colon)}`;
    }
  };
  for (const entry of dev.items) {
    if (!isMap(entry.value)) continue;
    const sync = entry.value.get('sync', true);
    rewrite(isMap(sync) ? sync.get('folders', true) : sync, true);
    rewrite(entry.value.get('secrets', true), true);
    rewrite(entry.value.get('envFiles', true), false);
  }
  const out = new Document({});
  out.set('dev', dev);
  return `# Derived by T-Env from the dev section of the okteto manifest: okteto refuses ${manifest.platformOnly.map((p) => p.key).join(', ')} on a cluster without the Okteto platform.\n${out.toString()}`;
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
