// The one place that knows T-Env's setting keys (checked against package.json by a unit test).
import * as vscode from 'vscode';

export const SETTINGS = {
  user: 'tenv.user',
  showAllEnvironments: 'tenv.showAllEnvironments',
  defaultTimeZone: 'tenv.defaultTimeZone',
  defaultAwakeHours: 'tenv.defaultAwakeHours',
  wakeMinimumHours: 'tenv.wakeMinimumHours',
  sleepWarningMinutes: 'tenv.sleepWarningMinutes',
  oktetoPath: 'tenv.oktetoPath',
  manifestPath: 'tenv.manifestPath',
  devStartTimeoutSeconds: 'tenv.devStartTimeoutSeconds',
  logsTailLines: 'tenv.logs.tailLines',
  logsTimestamps: 'tenv.logs.timestamps',
  grafanaEnvironmentUrl: 'tenv.grafana.environmentUrl',
  grafanaWorkloadUrl: 'tenv.grafana.workloadUrl',
  grafanaPodUrl: 'tenv.grafana.podUrl',
} as const;

function get<T>(key: string, fallback: T): T {
  const [section, ...rest] = key.split('.');
  return vscode.workspace.getConfiguration(section).get<T>(rest.join('.'), fallback);
}

export const config = {
  user: (): string => get(SETTINGS.user, ''),
  showAllEnvironments: (): boolean => get(SETTINGS.showAllEnvironments, false),
  defaultTimeZone: (): string => get(SETTINGS.defaultTimeZone, ''),
  defaultAwakeHours: (): string => get(SETTINGS.defaultAwakeHours, 'Mon-Fri 08:00-20:00'),
  wakeMinimumHours: (): number => get(SETTINGS.wakeMinimumHours, 2),
  sleepWarningMinutes: (): number => get(SETTINGS.sleepWarningMinutes, 15),
  oktetoPath: (): string => get(SETTINGS.oktetoPath, ''),
  manifestPath: (): string => get(SETTINGS.manifestPath, ''),
  devStartTimeoutSeconds: (): number => get(SETTINGS.devStartTimeoutSeconds, 300),
  logsTailLines: (): number => get(SETTINGS.logsTailLines, 100),
  logsTimestamps: (): boolean => get(SETTINGS.logsTimestamps, false),
  grafanaEnvironmentUrl: (): string => get(SETTINGS.grafanaEnvironmentUrl, ''),
  grafanaWorkloadUrl: (): string => get(SETTINGS.grafanaWorkloadUrl, ''),
  grafanaPodUrl: (): string => get(SETTINGS.grafanaPodUrl, ''),
};

export async function setShowAll(value: boolean): Promise<void> {
  await vscode.workspace.getConfiguration('tenv').update('showAllEnvironments', value, vscode.ConfigurationTarget.Global);
}
