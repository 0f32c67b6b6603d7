// Overlay environments: which workloads of a baseline an overlay runs, and what it copies. The
// contract (README, "Overlays"):
// - Workloads are named as `--only` names them; workloads of several kinds with one name travel together.
// - Workload W calls Service S when a container's env value, command or args, or a value of a
//   ConfigMap W uses (env valueFrom, envFrom, volumes, projected volumes) names S as a host: a
//   whole DNS name `S:port`, `S.<baseline>`, `S.<baseline>.svc[.cluster.local]` (or `<pod>.S…`
//   for a headless S), anywhere, or a bare `S` where a value starts and ends (the whole value, a
//   line, after `=` or `key: `, in quotes, in a URL); never a part of a longer name, a path
//   segment, what follows a `:`, or a word of prose. Annotation `t-env.dev/calls: s1,s2` adds calls. A
//   Service belongs to the workloads its selector matches; W calls the workloads S belongs to.
// - Entry points: workloads behind a LoadBalancer or NodePort Service, an Ingress backend, or
//   annotated `t-env.dev/entry: "true"`.
// - A StatefulSet's claims made from its `volumeClaimTemplates` go with it, as in a full copy.
// - The overlay runs the chosen workloads (`--only`, `--changed`, plus `--with`) and every workload
//   on a call path from an entry point to a chosen one, minus `--without` (which cuts the paths
//   through it). With each workload come the Services that select it and the ConfigMaps, Secrets,
//   ServiceAccounts and PVCs it references; every other Service is routed: an ExternalName Service
//   of the same name → `<svc>.<baseline>.svc.cluster.local`, annotated `t-env.dev/routed-to`.
import { InvalidInputError } from './errors.ts';
import { LABEL_FROM_BASELINE, neverCopyReason, podSpecOf, prepareCopy } from './baseline-copy.ts';
import type { CopyTarget, KubeObject, PreparedCopy } from './baseline-copy.ts';
import type { DiffEntry, Listed } from './baseline-diff.ts';
import { apiVersionOf, isWorkloadKind, KINDS } from './kinds.ts';
import type { KindName, WorkloadKind } from './kinds.ts';

/** On a baseline workload: Services (or workloads) it calls that inference cannot see, comma-separated. */
export const ANNOTATION_CALLS = 't-env.dev/calls';
/** On a baseline workload: `"true"` makes it an entry point. */
export const ANNOTATION_ENTRY = 't-env.dev/entry';
/** On a routed Service of an overlay: the baseline it routes to. */
export const ANNOTATION_ROUTED_TO = 't-env.dev/routed-to';
/** On an overlay's namespace: `"true"` (it runs only part of its baseline). */
export const ANNOTATION_OVERLAY = 't-env.dev/overlay';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : undefined;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record).filter((v): v is Json => v !== undefined) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export interface ObjectRef {
  readonly kind: KindName;
  readonly name: string;
}

export interface WorkloadNode {
  readonly name: string;
  readonly kinds: readonly WorkloadKind[];
  /** Services whose selector matches its pods. */
  readonly services: readonly string[];
  /** Services it calls (inferred or annotated), sorted. */
  readonly callsServices: readonly string[];
  /** Workloads it calls through those Services, sorted (itself excluded). */
  readonly calls: readonly string[];
  /** Why it is an entry point, when it is one. */
  readonly entry: string | undefined;
  /** ConfigMaps, Secrets, ServiceAccounts and PVCs it references. */
  readonly config: readonly ObjectRef[];
}

export interface CallGraph {
  readonly baseline: string;
  readonly workloads: ReadonlyMap<string, WorkloadNode>;
  /** Every Service of the baseline, with the workloads it belongs to. */
  readonly services: ReadonlyMap<string, readonly string[]>;
}

// ---- hosts in text -----------------------------------------------------------------------------

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
// A whole DNS name: not preceded by a name character, a dot, a single `/` (a path) or a `:` that
// does not open `://`; not followed by a name character or a dotted continuation.
const DNS_NAME = new RegExp(`(?<![A-Za-z0-9_.-])(?<!(?<!/)/)(?<!:(?!//))(${LABEL}(?:\\.${LABEL})*)(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, 'g');
// A bare name (no port, no namespace) is a host only where a value starts and ends: the whole
// text or line, after `=`, `key: `, a quote, a bracket, a comma, `://` or `@`; never a word of prose.
const BARE_BEFORE = /(?:^|[=,"'@([]|:\/\/|:[ \t]+|\n[ \t-]*)$/;
const BARE_AFTER = /^(?:$|[\r\n"',;/)\]])/;
/** Longest texts scanned for hosts: anything larger is data, not configuration. */
const MAX_SCANNED = 64 * 1024;

/**
 * The Services of `services` that `text` names as a host (see the contract above). `headless`
 * holds the Services whose pods have DNS names (`db-0.db`).
 */
export function hostsIn(text: string, baseline: string, services: ReadonlySet<string>, headless: ReadonlySet<string> = new Set()): string[] {
  const found = new Set<string>();
  const scanned = text.slice(0, MAX_SCANNED);
  const suffixes = [`.${baseline}.svc.cluster.local`, `.${baseline}.svc`, `.${baseline}`, ''];
  for (const match of scanned.matchAll(DNS_NAME)) {
    const name = match[1]!;
    const end = match.index + name.length;
    const withPort = /^:\d/.test(scanned.slice(end, end + 2));
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const head = name.slice(0, name.length - suffix.length);
      const dot = head.indexOf('.');
      const svc = services.has(head) ? head : dot > 0 && headless.has(head.slice(dot + 1)) ? head.slice(dot + 1) : undefined;
      if (svc === undefined) continue;
      const bare = suffix === '' && svc === head && !withPort;
      if (!bare || (BARE_BEFORE.test(scanned.slice(Math.max(0, match.index - 40), match.index)) && BARE_AFTER.test(scanned.slice(end, end + 1)))) found.add(svc);
      break;
    }
  }
  return [...found];
}

// ---- what a workload reads ---------------------------------------------------------------------

interface PodReads {
  /** Texts of its own spec that may name hosts. */
  texts: string[];
  /** ConfigMaps it reads whole (envFrom, volumes). */
  configMaps: Set<string>;
  /** ConfigMap keys it reads one by one (env valueFrom). */
  configMapKeys: { name: string; key: string }[];
  refs: ObjectRef[];
}

function podReads(kind: WorkloadKind, obj: KubeObject): PodReads {
  const reads: PodReads = { texts: [], configMaps: new Set(), configMapKeys: [], refs: [] };
  const spec = podSpecOf(kind, obj);
  if (!spec) return reads;
  const ref = (k: KindName, name: unknown): void => { if (typeof name === 'string' && name) reads.refs.push({ kind: k, name }); };
  const sa = str(spec['serviceAccountName']) ?? str(spec['serviceAccount']);
  if (sa && sa !== 'default') ref('ServiceAccount', sa);
  for (const s of list(spec['imagePullSecrets'])) ref('Secret', s['name']);
  for (const c of [...list(spec['initContainers']), ...list(spec['containers'])]) {
    for (const field of ['command', 'args']) for (const v of Array.isArray(c[field]) ? c[field] as unknown[] : []) if (typeof v === 'string') reads.texts.push(v);
    for (const e of list(c['env'])) {
      if (typeof e['value'] === 'string') reads.texts.push(e['value']);
      const from = record(e['valueFrom']);
      const cm = record(from?.['configMapKeyRef']);
      if (cm && typeof cm['name'] === 'string') { ref('ConfigMap', cm['name']); reads.configMapKeys.push({ name: cm['name'], key: String(cm['key']) }); }
      ref('Secret', record(from?.['secretKeyRef'])?.['name']);
    }
    for (const e of list(c['envFrom'])) {
      const cm = str(record(e['configMapRef'])?.['name']);
      if (cm) { ref('ConfigMap', cm); reads.configMaps.add(cm); }
      ref('Secret', record(e['secretRef'])?.['name']);
    }
  }
  for (const v of list(spec['volumes'])) {
    const cm = str(record(v['configMap'])?.['name']);
    if (cm) { ref('ConfigMap', cm); reads.configMaps.add(cm); }
    ref('Secret', record(v['secret'])?.['secretName']);
    ref('PersistentVolumeClaim', record(v['persistentVolumeClaim'])?.['claimName']);
    for (const source of list(record(v['projected'])?.['sources'])) {
      const pcm = str(record(source['configMap'])?.['name']);
      if (pcm) { ref('ConfigMap', pcm); reads.configMaps.add(pcm); }
      ref('Secret', record(source['secret'])?.['name']);
    }
  }
  return reads;
}

function podLabels(kind: WorkloadKind, obj: KubeObject): Record<string, string> {
  const spec = record(obj['spec']);
  const template = kind === 'CronJob' ? record(record(record(spec?.['jobTemplate'])?.['spec'])?.['template']) : record(spec?.['template']);
  return (record(record(template?.['metadata'])?.['labels']) ?? {}) as Record<string, string>;
}

function selects(service: KubeObject, labels: Record<string, string>): boolean {
  const selector = record(record(service['spec'])?.['selector']);
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The workloads of `listed` whose pods `service`'s selector matches, by name, sorted (none without a selector). */
export function workloadsSelectedBy(service: KubeObject, listed: readonly Listed[]): string[] {
  return sortedUnique(listed.filter((l) => isWorkloadKind(l.kind) && selects(service, podLabels(l.kind, l.obj))).map((l) => l.obj.metadata?.name ?? ''));
}

function ingressBackends(ingress: KubeObject): string[] {
  const spec = record(ingress['spec']);
  const backends = [record(spec?.['defaultBackend'])];
  for (const rule of list(spec?.['rules'])) for (const path of list(record(rule['http'])?.['paths'])) backends.push(record(path['backend']));
  return backends.map((b) => str(record(b?.['service'])?.['name'])).filter((n): n is string => n !== undefined);
}

function sortedUnique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)].sort();
}

/** An object of one namespace (a baseline's or an overlay's), by kind and name; environments and live workloads use kinds.ts refKey. */
const objectKey = (r: ObjectRef): string => `${r.kind}/${r.name}`;

/** The call graph of a baseline from its listed objects (lists only: nothing else is read). */
export function inferCallGraph(baseline: string, listed: readonly Listed[]): CallGraph {
  const name = (o: KubeObject): string => o.metadata?.name ?? '';
  const services = listed.filter((l) => l.kind === 'Service');
  const serviceNames = new Set(services.map((s) => name(s.obj)));
  const headless = new Set(services.filter((s) => record(s.obj['spec'])?.['clusterIP'] === 'None').map((s) => name(s.obj)));
  const configMaps = new Map(listed.filter((l) => l.kind === 'ConfigMap').map((l) => [name(l.obj), (record(l.obj['data']) ?? {}) as Record<string, unknown>]));
  const owners = new Map<string, Set<string>>([...serviceNames].map((s) => [s, new Set<string>()]));
  const claims = listed.filter((l) => l.kind === 'PersistentVolumeClaim').map((l) => name(l.obj));

  interface Draft { kinds: WorkloadKind[]; services: Set<string>; callsServices: Set<string>; entry: string | undefined; config: Map<string, ObjectRef>; }
  const drafts = new Map<string, Draft>();
  for (const l of listed) {
    if (!isWorkloadKind(l.kind)) continue;
    const kind = l.kind;
    const wName = name(l.obj);
    const d: Draft = drafts.get(wName) ?? { kinds: [], services: new Set(), callsServices: new Set(), entry: undefined, config: new Map() };
    drafts.set(wName, d);
    d.kinds.push(kind);
    const labels = podLabels(kind, l.obj);
    for (const s of services) {
      if (!selects(s.obj, labels)) continue;
      d.services.add(name(s.obj));
      owners.get(name(s.obj))!.add(wName);
    }
    const reads = podReads(kind, l.obj);
    for (const r of reads.refs) d.config.set(objectKey(r), r);
    // The claims a StatefulSet's controller made from its templates (`<template>-<set>-<ordinal>`)
    // go with it, as a full copy carries them.
    for (const tpl of kind === 'StatefulSet' ? list(record(l.obj['spec'])?.['volumeClaimTemplates']) : []) {
      const prefix = `${String(record(tpl['metadata'])?.['name'])}-${wName}-`;
      for (const pvc of claims) if (pvc.startsWith(prefix) && /^\d+$/.test(pvc.slice(prefix.length))) d.config.set(`PersistentVolumeClaim/${pvc}`, { kind: 'PersistentVolumeClaim', name: pvc });
    }
    const texts = [...reads.texts];
    for (const cm of reads.configMaps) texts.push(...Object.values(configMaps.get(cm) ?? {}).filter((v): v is string => typeof v === 'string'));
    for (const { name: cm, key } of reads.configMapKeys) { const v = configMaps.get(cm)?.[key]; if (typeof v === 'string') texts.push(v); }
    for (const text of texts) for (const s of hostsIn(text, baseline, serviceNames, headless)) d.callsServices.add(s);
    const annotations = l.obj.metadata?.annotations ?? {};
    for (const s of (annotations[ANNOTATION_CALLS] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) d.callsServices.add(s);
    if (annotations[ANNOTATION_ENTRY] === 'true') d.entry = `annotated ${ANNOTATION_ENTRY}`;
  }
  for (const s of services) {
    const type = record(s.obj['spec'])?.['type'];
    if (type !== 'LoadBalancer' && type !== 'NodePort') continue;
    for (const w of owners.get(name(s.obj)) ?? []) drafts.get(w)!.entry ??= `behind ${String(type)} Service ${name(s.obj)}`;
  }
  for (const ing of listed.filter((l) => l.kind === 'Ingress')) {
    for (const backend of ingressBackends(ing.obj)) for (const w of owners.get(backend) ?? []) drafts.get(w)!.entry ??= `behind Ingress ${name(ing.obj)}`;
  }
  const workloads = new Map<string, WorkloadNode>();
  for (const [wName, d] of [...drafts].sort(([a], [b]) => a.localeCompare(b))) {
    // `t-env.dev/calls` may name a workload that has no Service.
    const calls = [...d.callsServices].flatMap((s) => (owners.has(s) ? [...owners.get(s)!] : drafts.has(s) ? [s] : []));
    workloads.set(wName, {
      name: wName, kinds: d.kinds, services: sortedUnique(d.services), callsServices: sortedUnique([...d.callsServices].filter((s) => serviceNames.has(s))),
      calls: sortedUnique(calls.filter((c) => c !== wName)), entry: d.entry, config: [...d.config.values()].sort((a, b) => objectKey(a).localeCompare(objectKey(b))),
    });
  }
  return { baseline, workloads, services: new Map([...owners].map(([s, o]) => [s, sortedUnique(o)])) };
}

/**
 * The workloads behind Services of the graph's baseline (what Add to Environment on a routed
 * Service row runs), sorted. Refuses, naming what to do, a Service the baseline no longer has and
 * one that selects no workload there (no selector, or its workloads are gone): nothing to run.
 */
export function workloadsBehind(graph: CallGraph, services: readonly string[], environment: string): string[] {
  const unknown = services.filter((s) => !graph.services.has(s));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `${unknown.map((s) => `"${s}"`).join(', ')} ${unknown.length === 1 ? 'is no Service' : 'are no Services'} of the baseline ${graph.baseline} any more: there is nothing to run in ${environment} for ${unknown.length === 1 ? 'it' : 'them'}.`,
      `"t env refresh ${environment}" follows the baseline; "t env add ${environment} <workload>" runs a workload of ${graph.baseline} by name.`,
    );
  }
  const empty = services.filter((s) => (graph.services.get(s) ?? []).length === 0);
  if (empty.length > 0) {
    const known = [...graph.workloads.keys()];
    throw new InvalidInputError(
      `The Service${empty.length === 1 ? '' : 's'} ${empty.map((s) => `"${s}"`).join(', ')} of ${graph.baseline} ${empty.length === 1 ? 'selects' : 'select'} no workload there (no selector, or its workloads are gone): there is nothing to run in ${environment}; calls keep reaching ${graph.baseline}.`,
      `Add a workload by name instead: t env add ${environment} <workload> (workloads of ${graph.baseline}: ${known.length > 0 ? known.join(', ') : '(none)'}).`,
    );
  }
  return sortedUnique(services.flatMap((s) => graph.services.get(s) ?? []));
}

// ---- the plan ----------------------------------------------------------------------------------

export interface OverlayRequest {
  /** Workloads chosen by name (`--only`). */
  readonly only?: readonly string[] | undefined;
  /** Workloads whose code changed, with the files (`--changed`). */
  readonly changed?: ReadonlyMap<string, readonly string[]> | undefined;
  readonly with?: readonly string[] | undefined;
  readonly without?: readonly string[] | undefined;
}

export interface PlannedWorkload {
  readonly name: string;
  readonly reasons: readonly string[];
}

export interface OverlayPlan {
  readonly baseline: string;
  /** The workloads the overlay runs, by name, each with why. */
  readonly run: readonly PlannedWorkload[];
  /** Services routed to the baseline. */
  readonly routed: readonly string[];
  /** Chosen workloads' direct callees that stay in the baseline (a workload name, or a Service without one). */
  readonly shared: readonly { readonly from: string; readonly to: string }[];
  /** Every object the overlay copies (workloads, their Services and config), sorted. */
  readonly copies: readonly ObjectRef[];
  /** Changed services that are no workload of the baseline (nothing to run for them). */
  readonly notWorkloads: readonly string[];
}

/** Refuses names that are not workloads of the graph's baseline, listing those that are. */
export function checkWorkloadNames(graph: CallGraph, names: readonly string[], flag: string): void {
  const unknown = names.filter((n) => !graph.workloads.has(n));
  if (unknown.length === 0) return;
  const known = [...graph.workloads.keys()];
  throw new InvalidInputError(
    `${flag}: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a workload' : 'are not workloads'} of the baseline ${graph.baseline}.`,
    `Workloads of ${graph.baseline}: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
  );
}

function reach(starts: Iterable<string>, next: (n: string) => readonly string[], allowed: (n: string) => boolean): Set<string> {
  const seen = new Set<string>();
  const queue = [...starts].filter(allowed);
  for (const s of queue) seen.add(s);
  for (let i = 0; i < queue.length; i++) {
    for (const n of next(queue[i]!)) if (!seen.has(n) && allowed(n)) { seen.add(n); queue.push(n); }
  }
  return seen;
}

/** What an overlay of `graph`'s baseline runs, routes and leaves shared for `request`. */
export function planOverlay(graph: CallGraph, request: OverlayRequest): OverlayPlan {
  const only = request.only ?? [];
  const withNames = request.with ?? [];
  const without = new Set(request.without ?? []);
  checkWorkloadNames(graph, only, '--only');
  checkWorkloadNames(graph, withNames, '--with');
  checkWorkloadNames(graph, [...without], '--without');
  const reasons = new Map<string, string[]>();
  const add = (n: string, reason: string): void => { if (!without.has(n)) reasons.set(n, [...(reasons.get(n) ?? []), reason]); };
  for (const n of only) add(n, 'chosen');
  const changed = [...request.changed ?? []];
  for (const [n, files] of changed) if (graph.workloads.has(n)) add(n, `changed: ${files.join(', ')}`);
  for (const n of withNames) add(n, 'added with --with');
  const chosen = new Set(reasons.keys());
  if (chosen.size === 0) {
    const notWorkloads = changed.map(([n]) => n).filter((n) => !graph.workloads.has(n));
    throw new InvalidInputError(
      `Nothing to run: no workload was chosen${request.changed ? ` (no changed service is a workload of ${graph.baseline}${notWorkloads.length ? `: ${notWorkloads.join(', ')}` : ''})` : ''}, or every one was removed with --without.`,
      'Name workloads with --only a,b (or --with with --changed).');
  }
  const allowed = (n: string): boolean => !without.has(n);
  const callers = new Map<string, string[]>();
  for (const w of graph.workloads.values()) for (const c of w.calls) callers.set(c, [...(callers.get(c) ?? []), w.name]);
  const reachesChosen = reach(chosen, (n) => callers.get(n) ?? [], allowed);
  const fromEntries = reach([...graph.workloads.values()].filter((w) => w.entry).map((w) => w.name), (n) => graph.workloads.get(n)!.calls, allowed);
  for (const n of [...reachesChosen].filter((n) => fromEntries.has(n) && !chosen.has(n))) {
    for (const callee of graph.workloads.get(n)!.calls.filter((c) => reachesChosen.has(c))) add(n, `calls ${callee}`);
  }
  const run = [...reasons.keys()].sort();
  const running = new Set(run);
  const copied = new Set(run.flatMap((n) => graph.workloads.get(n)!.services));
  const routed = [...graph.services.keys()].filter((s) => !copied.has(s)).sort();
  const shared: { from: string; to: string }[] = [];
  for (const c of [...chosen].sort()) {
    for (const s of graph.workloads.get(c)!.callsServices.filter((x) => !copied.has(x))) {
      const owners = graph.services.get(s) ?? [];
      for (const to of owners.length > 0 ? owners.filter((o) => !running.has(o)) : [s]) if (!shared.some((x) => x.from === c && x.to === to)) shared.push({ from: c, to });
    }
  }
  const copies = new Map<string, ObjectRef>();
  for (const n of run) {
    const w = graph.workloads.get(n)!;
    for (const r of [...w.kinds.map((kind) => ({ kind, name: n })), ...w.services.map((name) => ({ kind: 'Service' as const, name })), ...w.config]) copies.set(objectKey(r), r);
  }
  return {
    baseline: graph.baseline, routed, shared, notWorkloads: changed.map(([n]) => n).filter((n) => !graph.workloads.has(n)).sort(),
    run: run.map((name) => ({ name, reasons: reasons.get(name)! })),
    copies: [...copies.values()].sort((a, b) => objectKey(a).localeCompare(objectKey(b))),
  };
}

/** The `t env plan --json` shape. */
export function planJson(plan: OverlayPlan): { baseline: string; run: { name: string; reasons: string[] }[]; routed: string[]; shared: { from: string; to: string }[] } {
  return { baseline: plan.baseline, run: plan.run.map((r) => ({ name: r.name, reasons: [...r.reasons] })), routed: [...plan.routed], shared: plan.shared.map((s) => ({ ...s })) };
}

/** The routed Service of an overlay: same name, DNS-only alias of the baseline's Service. */
export function routedService(name: string, target: { baseline: string; environment: string }): KubeObject {
  return {
    apiVersion: apiVersionOf(KINDS.Service), kind: 'Service',
    metadata: {
      name, namespace: target.environment,
      labels: { [LABEL_FROM_BASELINE]: target.baseline },
      annotations: { [ANNOTATION_ROUTED_TO]: target.baseline },
    },
    spec: { type: 'ExternalName', externalName: `${name}.${target.baseline}.svc.cluster.local` },
  };
}

/** The routed Service as applied; not a copy, so it carries no hashes. */
export function routedCopy(name: string, target: CopyTarget): PreparedCopy {
  return { kind: 'Service', name, object: routedService(name, target), baselineHash: '', copyHash: '' };
}

/** What `refs` of the baseline's listed objects become in an overlay (copies that may be copied; the rest are skipped). */
export function overlayObjectCopies(refs: readonly ObjectRef[], listed: readonly Listed[], target: CopyTarget): PreparedCopy[] {
  const wanted = new Set(refs.map(objectKey));
  return listed.filter((l) => wanted.has(objectKey({ kind: l.kind, name: l.obj.metadata?.name ?? '' })) && neverCopyReason(l.kind, l.obj) === undefined)
    .map((l) => prepareCopy(l.kind, l.obj, { ...target, overlay: true }));
}

/** Everything an overlay applies: its copies (pods searching the baseline's domain) and its routed Services. */
export function overlayCopies(plan: OverlayPlan, listed: readonly Listed[], target: CopyTarget): PreparedCopy[] {
  return [...overlayObjectCopies(plan.copies, listed, target), ...plan.routed.map((s) => routedCopy(s, target))];
}

/** What running workloads need from the baseline: the workloads, the Services selecting them, their config. */
export function overlayNeeds(graph: CallGraph, running: Iterable<string>): ObjectRef[] {
  return [...running].flatMap((n) => {
    const w = graph.workloads.get(n);
    return w ? [...w.kinds.map((kind) => ({ kind, name: n })), ...w.services.map((name) => ({ kind: 'Service' as const, name })), ...w.config] : [];
  });
}

/**
 * The diff of an overlay: entries for what it does not run are left out (a routed workload, its
 * config), except new Services of the baseline, which refresh routes. Routed Services are
 * compared by core/baseline-diff.ts (in sync while the baseline has the Service).
 */
export function overlayDiffEntries(baseline: string, entries: readonly DiffEntry[]): { entries: DiffEntry[]; routeNew: string[] } {
  const listed = entries.flatMap((e) => (e.baseline ? [{ kind: e.kind, obj: e.baseline }] : []));
  const running = entries.filter((e) => isWorkloadKind(e.kind) && e.environment).map((e) => e.name);
  const needed = new Set(overlayNeeds(inferCallGraph(baseline, listed), running).map(objectKey));
  const fresh = entries.filter((e) => e.status === 'only-in-baseline');
  return {
    entries: entries.filter((e) => e.status !== 'only-in-baseline' || e.kind === 'Service' || needed.has(objectKey(e))),
    routeNew: fresh.filter((e) => e.kind === 'Service' && !needed.has(objectKey(e))).map((e) => e.name),
  };
}

/** A Service of an environment that routes to a baseline (and which one). */
export function routedTo(obj: KubeObject | undefined): string | undefined {
  return obj?.metadata?.annotations?.[ANNOTATION_ROUTED_TO];
}
