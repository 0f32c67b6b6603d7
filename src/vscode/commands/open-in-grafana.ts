// T-Env: Open in Grafana — an environment, workload or pod, from templates in settings.
import * as vscode from 'vscode';
import { buildGrafanaUrl } from '../../core/grafana.ts';
import type { GrafanaLevel, GrafanaTarget } from '../../core/grafana.ts';
import { config, GRAFANA_SETTING, SETTINGS } from '../config.ts';
import { PodNode, WorkloadNode } from '../environment-tree.ts';
import { pickEnvironment } from '../pick.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const openInGrafana: CommandFactory = (ctx) => async (arg?: unknown) => {
  const grafana = config.grafanaUrl();
  if (!grafana) {
    const open = 'Open Settings';
    const answer = await vscode.window.showInformationMessage(
      `Open in Grafana needs your Grafana's address: fill in the setting "${SETTINGS.grafanaUrl}" (e.g. https://grafana.example.com).`, open);
    if (answer === open) await vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS.grafanaUrl);
    return;
  }
  let level: GrafanaLevel = 'environment';
  let namespace: string;
  const extra: Partial<GrafanaTarget> = {};
  if (arg instanceof PodNode) {
    level = 'pod';
    namespace = arg.environment;
    Object.assign(extra, { workload: arg.workload.name, pod: arg.info.name, container: arg.info.containers[0] ?? '' });
  } else if (arg instanceof WorkloadNode) {
    level = 'workload';
    namespace = arg.environment;
    extra.workload = arg.info.name;
  } else {
    const env = await pickEnvironment(ctx, arg, 'Environment to open in Grafana');
    if (!env) return;
    namespace = env.name;
  }
  const url = buildGrafanaUrl(config.grafanaTemplate(level), level, {
    grafana, datasource: config.grafanaDatasource(), context: ctx.connection.session?.context ?? '', namespace, from: 'now-1h', to: 'now', ...extra,
  }, GRAFANA_SETTING[level]);
  ctx.log.info(`Opening ${url}`);
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
};
