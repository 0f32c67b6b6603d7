// The one place that knows T-Env's setting keys (checked against package.json by a unit test).
import * as vscode from 'vscode';
import { DEFAULT_AWAKE_HOURS } from '../core/environment.ts';
import { DEFAULT_GRAFANA_TEMPLATES } from '../core/grafana.ts';
import type { GrafanaLevel } from '../core/grafana.ts';
import type { Prices } from '../core/savings.ts';
import { DEFAULT_MINIMUM_WAKE_HOURS } from '../core/sleep-plan.ts';

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
  grafanaUrl: 'tenv.grafana.url',
  grafanaDatasource: 'tenv.grafana.datasource',
  grafanaEnvironmentUrl: 'tenv.grafana.environmentUrl',
  grafanaWorkloadUrl: 'tenv.grafana.workloadUrl',
  grafanaPodUrl: 'tenv.grafana.podUrl',
  cpuCoreHourPrice: 'tenv.report.cpuCoreHourPrice',
  gibHourPrice: 'tenv.report.gibHourPrice',
} as const;

export const GRAFANA_SETTING: Record<GrafanaLevel, string> = {
  environment: SETTINGS.grafanaEnvironmentUrl, workload: SETTINGS.grafanaWorkloadUrl, pod: SETTINGS.grafanaPodUrl,
};

/** A price setting: a number, 0 or more; anything else (unset, null, negative) means no price. */
function price(key: string): number | undefined {
  const value = get<unknown>(key, null);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function get<T>(key: string, fallback: T): T {
  const [section, ...rest] = key.split('.');
  return vscode.workspace.getConfiguration(section).get<T>(rest.join('.'), fallback);
}

export const config = {
  user: (): string => get(SETTINGS.user, ''),
  showAllEnvironments: (): boolean => get(SETTINGS.showAllEnvironments, false),
  defaultTimeZone: (): string => get(SETTINGS.defaultTimeZone, ''),
  defaultAwakeHours: (): string => get(SETTINGS.defaultAwakeHours, DEFAULT_AWAKE_HOURS),
  wakeMinimumHours: (): number => get(SETTINGS.wakeMinimumHours, DEFAULT_MINIMUM_WAKE_HOURS),
  sleepWarningMinutes: (): number => get(SETTINGS.sleepWarningMinutes, 15),
  oktetoPath: (): string => get(SETTINGS.oktetoPath, ''),
  manifestPath: (): string => get(SETTINGS.manifestPath, ''),
  devStartTimeoutSeconds: (): number => get(SETTINGS.devStartTimeoutSeconds, 300),
  logsTailLines: (): number => get(SETTINGS.logsTailLines, 100),
  logsTimestamps: (): boolean => get(SETTINGS.logsTimestamps, false),
  grafanaUrl: (): string => get(SETTINGS.grafanaUrl, ''),
  grafanaDatasource: (): string => get(SETTINGS.grafanaDatasource, 'loki'),
  grafanaTemplate: (level: GrafanaLevel): string => get(GRAFANA_SETTING[level], DEFAULT_GRAFANA_TEMPLATES[level]) || DEFAULT_GRAFANA_TEMPLATES[level],
  /** The savings report's prices (`t report --cpu-core-hour-price / --gib-hour-price`). */
  reportPrices: (): Prices => ({ cpuCoreHour: price(SETTINGS.cpuCoreHourPrice), gibHour: price(SETTINGS.gibHourPrice) }),
};

export async function setShowAll(value: boolean): Promise<void> {
  await vscode.workspace.getConfiguration('tenv').update('showAllEnvironments', value, vscode.ConfigurationTarget.Global);
}
