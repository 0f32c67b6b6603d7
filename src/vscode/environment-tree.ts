// The Environments tree: environments (mine first), their workloads and pods with live state,
// then the cluster's baselines under their own root node (read-only: no context menus).
// Driven by the ClusterConnection's store events; refreshes only the environments that changed.
// An environment made from a baseline names it, and its workloads show their diff status
// (behind: a distinct icon and the image change), computed by the store from what it holds.
import * as vscode from 'vscode';
import { baselineDescription, markTooltip } from '../core/baseline-view.ts';
import { baselineSleepText } from '../core/baseline-sleep.ts';
import type { BaselineView } from '../core/baseline-view.ts';
import { mineFirst, recentWarnings } from '../core/environment.ts';
import type { EnvironmentInfo, PodInfo, WarningInfo, WorkloadInfo } from '../core/environment.ts';
import { describeTransition, scheduleView } from '../core/environment-view.ts';
import { describeExpiry } from '../core/expiry.ts';
import { overlayDescription, routedServiceTooltip, routedTooltip } from '../core/overlay-view.ts';
import type { RoutedService } from '../core/overlay-view.ts';
import { asleepWorkloadText, recentSavingsText } from '../core/savings.ts';
import { shortText } from '../core/sanitize.ts';
import { config } from './config.ts';
import type { ClusterConnection } from './connection.ts';

export class EnvironmentNode extends vscode.TreeItem {
  readonly kind = 'environment';
  info: EnvironmentInfo;
  constructor(info: EnvironmentInfo, context: string, mine: boolean, now: Date) {
    super(info.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.info = info;
    this.id = `${context}/${info.name}`;
    this.update(info, mine, now);
  }

  /** Updates in place: VS Code refreshes a tree element by object identity. */
  update(info: EnvironmentInfo, mine: boolean, now: Date): void {
    this.info = info;
    const view = scheduleView(info, now);
    const next = view.follows ?? (view.problem ? `schedule problem: ${view.problem}` : describeTransition(view.next, info.timezone, now));
    const expiry = describeExpiry(info.expiresAt, now);
    const marks = info.workloads.map((w) => w.baseline);
    const baseline = info.overlay ? overlayDescription(info.overlay, marks) : info.baseline ? baselineDescription(info.baseline, marks) : '';
    // The baseline right after the state: "· 2 behind" must not be cut off by a narrow view.
    this.description = `${mine ? '' : `${info.owner} · `}${STATE_LABEL[info.state]}${baseline ? ` · ${baseline}` : ''} · ${next}${expiry ? ` · ${expiry}` : ''}`;
    // `.ttl` last, so that the `when` clauses matching the state prefix keep working.
    this.contextValue = `environment.${info.state}${mine ? '.mine' : ''}${info.baseline ? '.baseline' : ''}${info.expiresAt ? '.ttl' : ''}`;
    this.iconPath = new vscode.ThemeIcon(ENV_ICON[info.state], info.state === 'awake' ? new vscode.ThemeColor('testing.iconPassed') : undefined);
    // Annotation values are untrusted: appendText escapes Markdown (no links, images or command
    // URIs), shortText cuts and sanitizes.
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown('**').appendText(info.name).appendMarkdown(`** — ${STATE_LABEL[info.state]}\n\n`);
    const row = (label: string, value: string): void => { tooltip.appendMarkdown(`${label}: `).appendText(shortText(value)).appendMarkdown('  \n'); };
    row('Owner', info.owner || 'unknown');
    row('Time zone', info.timezone ?? 'not set');
    row('Awake hours', info.awakeHours ?? 'not set');
    if (info.awakeUntil) row('Kept awake until', info.awakeUntil);
    if (expiry) row('Deleted by the sleeper', expiry);
    if (baseline) row('Baseline', baseline);
    const savings = recentSavingsText(info, now);
    if (savings) row('Sleep', savings);
    tooltip.appendMarkdown('Next: ').appendText(next);
    this.tooltip = tooltip;
  }
}

export class WorkloadNode extends vscode.TreeItem {
  readonly kind = 'workload';
  readonly environment: string;
  readonly info: WorkloadInfo;
  constructor(env: string, info: WorkloadInfo, context: string, overlay = false) {
    super(info.name, info.pods.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.environment = env;
    this.info = info;
    this.id = `${context}/${env}/${info.kind}/${info.name}`;
    const counts = info.kind === 'CronJob' ? (info.suspended ? 'suspended' : 'scheduled') : `${info.readyReplicas}/${info.replicas}`;
    const behind = info.baseline?.status === 'behind';
    this.description = `${info.kind} · ${asleepWorkloadText(info) ?? `${counts} · ${WORKLOAD_LABEL[info.state]}`}${behind ? ' · behind baseline' : ''}`;
    // `.baseline` (copied from one; `.behind` when the baseline moved on) after the state and
    // before `.warning`, so that the `when` clauses matching the kind and state keep working.
    // `.overlay` (it runs in an overlay, so Remove from Environment may route it back) after those.
    this.contextValue = `workload.${info.kind.toLowerCase()}.${info.state}${info.baseline ? `.baseline${behind ? '.behind' : ''}` : ''}${overlay ? '.overlay' : ''}`;
    const warnings = recentWarnings(info.warnings, new Date());
    // Recent warning events (BackOff, FailedScheduling, …) mark the workload first, then being
    // behind the baseline; its state stays in the description.
    const [icon, color] = warnings.length > 0 ? WARNING_ICON : behind ? BEHIND_ICON : WORKLOAD_ICON[info.state];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    if (warnings.length > 0) this.contextValue += '.warning';
    this.tooltip = `${info.kind} ${info.name}: ${WORKLOAD_LABEL[info.state]}` +
      (info.kind === 'CronJob' ? '' : `, ${info.readyReplicas} of ${info.replicas} ready`) +
      (info.replicasBeforeSleep !== undefined ? `\nBefore sleep: ${shortText(info.replicasBeforeSleep)}` : '') +
      (info.sleepExempt ? '\nNot put to sleep' : '') + (info.baseline ? `\n${markTooltip(info.baseline)}` : '') + warningLines(warnings);
  }
}

export class PodNode extends vscode.TreeItem {
  readonly kind = 'pod';
  readonly environment: string;
  readonly workload: WorkloadInfo;
  readonly info: PodInfo;
  constructor(env: string, workload: WorkloadInfo, info: PodInfo, context: string, now: Date) {
    super(info.name, vscode.TreeItemCollapsibleState.None);
    this.environment = env;
    this.workload = workload;
    this.info = info;
    this.id = `${context}/${env}/pod/${info.name}`;
    const age = info.startedAt ? shortAge(now.getTime() - Date.parse(info.startedAt)) : '';
    this.description = [shortText(info.reason ?? info.phase), info.restarts > 0 ? `${info.restarts} restarts` : '', age].filter(Boolean).join(' · ');
    this.contextValue = `pod.${info.state}`;
    const warnings = recentWarnings(info.warnings, now);
    const [icon, color] = warnings.length > 0 && info.state !== 'crash-loop' ? WARNING_ICON : POD_ICON[info.state];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    this.tooltip = `${info.name}\nPhase: ${shortText(info.phase)}\nReady: ${info.ready ? 'yes' : 'no'}\nRestarts: ${info.restarts}${info.dev ? '\nOkteto dev container' : ''}${warningLines(warnings)}`;
  }
}

/**
 * A routed Service of an overlay (an ExternalName Service to the baseline's): Add to Environment
 * runs the baseline's workloads behind it here. Where the store may not list the overlay's
 * Services, one row per workload of the baseline the overlay does not run, as a fallback.
 */
export class RoutedNode extends vscode.TreeItem {
  readonly kind = 'routed';
  readonly environment: string;
  /** The routed Service (as in the cluster); undefined on a fallback row, which names a workload. */
  readonly service: string | undefined;
  /** The baseline's workloads behind the row, when known (a fallback row's own workload). */
  readonly workloads: readonly string[] | undefined;
  constructor(env: string, routed: { service: RoutedService } | { workload: string; baseline: string }, context: string) {
    const name = 'service' in routed ? routed.service.name : routed.workload;
    super(shortText(name, 63), vscode.TreeItemCollapsibleState.None);
    this.environment = env;
    this.service = 'service' in routed ? routed.service.name : undefined;
    this.workloads = 'service' in routed ? routed.service.workloads : [routed.workload];
    this.id = `${context}/${env}/#routed/${name}`;
    this.description = `→ ${shortText('service' in routed ? routed.service.baseline : routed.baseline, 40)}`;
    this.contextValue = 'routed';
    this.iconPath = new vscode.ThemeIcon('arrow-right', new vscode.ThemeColor('descriptionForeground'));
    this.tooltip = 'service' in routed ? routedServiceTooltip(env, routed.service) : routedTooltip(env, routed.workload, routed.baseline);
  }
}

/** The root node listing the cluster's baselines. */
export class BaselinesNode extends vscode.TreeItem {
  readonly kind = 'baselines';
  constructor(context: string, count: number) {
    super('Baselines', vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${context}/#baselines`;
    this.description = `${count} · read-only`;
    this.contextValue = 'baselines';
    this.iconPath = new vscode.ThemeIcon('library');
    this.tooltip = 'Namespaces labelled t-env.dev/baseline=true (CI/CD deploys main into them). Environments are created from them; T-Env only reads them (the sleeper scales those with awake hours).';
  }
}

/** A baseline: read-only, its workloads as children. */
export class BaselineNode extends vscode.TreeItem {
  readonly kind = 'baseline';
  readonly info: BaselineView;
  constructor(info: BaselineView, context: string, from: number) {
    super(info.name, info.workloads.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.info = info;
    this.id = `${context}/#baselines/${info.name}`;
    const sleep = baselineSleepText(info.name, info.awakeHours) ?? (info.awakeHours ? `awake ${shortText(info.awakeHours, 40)}` : '');
    const parts = [info.gitRef ? shortText(info.gitRef, 40) : '', `${info.workloads.length} workloads`, from > 0 ? `${from} environments from it` : '', sleep];
    this.description = parts.filter(Boolean).join(' · ');
    this.contextValue = 'baseline';
    this.iconPath = new vscode.ThemeIcon('git-branch');
    const changes = sleep ? `the sleeper only scales it (${sleep})` : 'T-Env never changes it';
    this.tooltip = `Baseline ${info.name}${info.gitRef ? ` (deployed from ${shortText(info.gitRef)})` : ''}\nCreate Environment copies it; ${changes}.`;
  }
}

/** A workload of a baseline: read-only (no context menus), state only. */
export class BaselineWorkloadNode extends vscode.TreeItem {
  readonly kind = 'baseline-workload';
  readonly baseline: string;
  constructor(baseline: string, info: WorkloadInfo, context: string) {
    super(info.name, vscode.TreeItemCollapsibleState.None);
    this.baseline = baseline;
    this.id = `${context}/#baselines/${baseline}/${info.kind}/${info.name}`;
    const counts = info.kind === 'CronJob' ? (info.suspended ? 'suspended' : 'scheduled') : `${info.readyReplicas}/${info.replicas}`;
    this.description = `${info.kind} · ${counts} · ${WORKLOAD_LABEL[info.state]}`;
    this.contextValue = 'baselineWorkload';
    const [icon, color] = WORKLOAD_ICON[info.state];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  }
}

export type TreeNode = EnvironmentNode | WorkloadNode | RoutedNode | PodNode | BaselinesNode | BaselineNode | BaselineWorkloadNode;

const STATE_LABEL: Record<EnvironmentInfo['state'], string> = {
  awake: 'awake', asleep: 'asleep', 'partly-awake': 'partly awake', waking: 'waking', empty: 'empty', terminating: 'deleting',
};
const ENV_ICON: Record<EnvironmentInfo['state'], string> = {
  awake: 'vm-active', asleep: 'debug-pause', 'partly-awake': 'vm-outline', waking: 'loading~spin', empty: 'vm-outline', terminating: 'trash',
};
const WORKLOAD_LABEL: Record<WorkloadInfo['state'], string> = {
  running: 'running', asleep: 'asleep', dev: 'in dev mode', 'crash-loop': 'crash-looping', pending: 'starting', 'not-ready': 'not ready',
  'scaled-down': 'scaled to 0', suspended: 'suspended', idle: 'scheduled',
};
const WORKLOAD_ICON: Record<WorkloadInfo['state'], [string, string | undefined]> = {
  running: ['pass-filled', 'testing.iconPassed'], asleep: ['debug-pause', undefined], dev: ['code', 'charts.blue'],
  'crash-loop': ['error', 'testing.iconFailed'], pending: ['loading~spin', undefined], 'not-ready': ['warning', 'list.warningForeground'],
  'scaled-down': ['circle-outline', undefined], suspended: ['debug-pause', undefined], idle: ['clock', undefined],
};
const POD_ICON: Record<PodInfo['state'], [string, string | undefined]> = {
  running: ['circle-filled', 'testing.iconPassed'], pending: ['loading~spin', undefined], 'crash-loop': ['error', 'testing.iconFailed'],
  'not-ready': ['warning', 'list.warningForeground'], succeeded: ['check', undefined], failed: ['error', 'testing.iconFailed'], terminating: ['trash', undefined],
};

const WARNING_ICON: [string, string] = ['warning', 'list.warningForeground'];
const BEHIND_ICON: [string, string] = ['arrow-circle-down', 'charts.orange'];

/** The latest warning reasons, for tooltips. */
function warningLines(warnings: readonly WarningInfo[]): string {
  if (warnings.length === 0) return '';
  return '\n\nWarnings (last hour):\n' + warnings.slice(0, 5).map((w) => `• ${shortText(w.reason)} (${shortText(w.object)}, ×${w.count}): ${shortText(w.message, 160)}`).join('\n');
}

function shortAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export class EnvironmentTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly connection: ClusterConnection;
  /** The environment nodes currently shown, so a change refreshes just that subtree. */
  private readonly nodes = new Map<string, EnvironmentNode>();
  private readonly disposables: vscode.Disposable[] = [];
  private rootNames: string[] = [];
  /** The baselines shown under the Baselines root node (none while no environment is shown). */
  private rootBaselines: string[] = [];
  private baselinesNode: BaselinesNode | undefined;
  private readonly baselineNodes = new Map<string, BaselineNode>();

  constructor(connection: ClusterConnection) {
    this.connection = connection;
    this.disposables.push(this.changed, connection.onDidChange((names) => this.refresh(names)));
    // Descriptions say "sleeps in 3 h": re-render them each minute (no cluster request involved).
    const timer = setInterval(() => { if (this.nodes.size > 0) this.refresh(new Set(this.nodes.keys())); }, 60_000);
    this.disposables.push({ dispose: () => clearInterval(timer) });
  }

  private refresh(names: ReadonlySet<string> | undefined): void {
    if (!names) {
      this.changed.fire(undefined);
      return;
    }
    const visible = this.visibleEnvironments();
    const differs = (a: readonly string[], b: readonly string[]): boolean => a.length !== b.length || a.some((n, i) => n !== b[i]);
    if (differs(visible.map((e) => e.name), this.rootNames) || differs(this.shownBaselines(visible).map((b) => b.name), this.rootBaselines)) {
      this.changed.fire(undefined);
      return;
    }
    // A baseline's workloads changed: its node (under the Baselines root) is rebuilt.
    if (this.baselinesNode && this.rootBaselines.some((b) => names.has(b))) this.changed.fire(this.baselinesNode);
    const now = new Date();
    for (const name of names) {
      const node = this.nodes.get(name);
      const info = this.connection.environment(name);
      if (node && info) {
        node.update(info, info.owner === this.connection.me(), now);
        this.changed.fire(node);
      }
    }
  }

  private visibleEnvironments(): EnvironmentInfo[] {
    const me = this.connection.me();
    const all = this.connection.environments();
    const shown = config.showAllEnvironments() ? all : all.filter((e) => e.owner === me);
    return mineFirst(shown, me);
  }

  /** Baselines get their root node only beside environments: with none, the welcome view (Create My Environment) shows. */
  private shownBaselines(visible: readonly EnvironmentInfo[]): BaselineView[] {
    return visible.length > 0 ? this.connection.baselines() : [];
  }

  private environmentNode(info: EnvironmentInfo, now: Date): EnvironmentNode {
    const mine = info.owner === this.connection.me();
    const existing = this.nodes.get(info.name);
    if (existing && existing.id === `${this.connection.session?.context ?? ''}/${info.name}`) {
      existing.update(info, mine, now);
      return existing;
    }
    const node = new EnvironmentNode(info, this.connection.session?.context ?? '', mine, now);
    this.nodes.set(info.name, node);
    return node;
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    return element;
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    const context = this.connection.session?.context ?? '';
    if (!element) {
      await this.connection.ensureStarted();
      const envs = this.visibleEnvironments();
      this.rootNames = envs.map((e) => e.name);
      void vscode.commands.executeCommand('setContext', 'tenv.environmentCount', this.connection.state === 'ready' ? envs.length : -1);
      const now = new Date();
      const shown = new Set(this.rootNames);
      for (const name of this.nodes.keys()) if (!shown.has(name)) this.nodes.delete(name);
      const baselines = this.shownBaselines(envs);
      this.rootBaselines = baselines.map((b) => b.name);
      this.baselinesNode = baselines.length > 0 ? new BaselinesNode(context, baselines.length) : undefined;
      return [...envs.map((e) => this.environmentNode(e, now)), ...(this.baselinesNode ? [this.baselinesNode] : [])];
    }
    if (element instanceof EnvironmentNode) return this.environmentChildren(element, context);
    if (element instanceof BaselinesNode) {
      const envs = this.connection.environments();
      this.baselineNodes.clear();
      return this.connection.baselines().map((b) => {
        const node = new BaselineNode(b, context, envs.filter((e) => e.baseline === b.name).length);
        this.baselineNodes.set(b.name, node);
        return node;
      });
    }
    if (element instanceof BaselineNode) {
      const info = this.connection.baselines().find((b) => b.name === element.info.name) ?? element.info;
      return info.workloads.map((w) => new BaselineWorkloadNode(info.name, w, context));
    }
    if (element instanceof WorkloadNode) {
      const now = new Date();
      const workload = this.connection.environment(element.environment)?.workloads.find((w) => w.kind === element.info.kind && w.name === element.info.name) ?? element.info;
      return workload.pods.map((p) => new PodNode(element.environment, workload, p, context, now));
    }
    return [];
  }

  /**
   * An environment's rows: its workloads, then (in an overlay) its routed Services, or the
   * workloads it routes to the baseline when the store may not list its Services.
   */
  private environmentChildren(element: EnvironmentNode, context: string): TreeNode[] {
    const info = this.connection.environment(element.info.name) ?? element.info;
    const overlay = info.overlay;
    const routed = !overlay ? [] : overlay.routedServices
      ? overlay.routedServices.map((service) => new RoutedNode(info.name, { service }, context))
      : overlay.routedWorkloads.map((workload) => new RoutedNode(info.name, { workload, baseline: overlay.baseline }, context));
    return [...info.workloads.map((w) => new WorkloadNode(info.name, w, context, overlay !== undefined)), ...routed];
  }

  getParent(element: TreeNode): TreeNode | undefined {
    if (element instanceof EnvironmentNode || element instanceof BaselinesNode) return undefined;
    if (element instanceof BaselineNode) return this.baselinesNode;
    if (element instanceof BaselineWorkloadNode) return this.baselineNodes.get(element.baseline);
    return this.nodes.get(element.environment);
  }

  /** Re-renders everything (show-all toggled, settings changed). */
  refreshAll(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
