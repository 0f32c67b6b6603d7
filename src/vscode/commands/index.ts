// Every command id T-Env registers, with its factory. package.json must declare exactly these
// (checked by a unit test and, in the real extension host, by the e2e suite).
import type { CommandFactory } from '../tenv-context.ts';
import { addToEnvironment } from './add-to-environment.ts';
import { createEnvironment } from './create-environment.ts';
import { deleteEnvironment } from './delete-environment.ts';
import { extendEnvironment } from './extend-environment.ts';
import { keepAwake } from './keep-awake.ts';
import { openInGrafana } from './open-in-grafana.ts';
import { refresh } from './refresh.ts';
import { removeFromEnvironment } from './remove-from-environment.ts';
import { selectContext } from './select-context.ts';
import { selectEnvironment } from './select-environment.ts';
import { showEvents } from './show-events.ts';
import { showLogs } from './show-logs.ts';
import { showLog } from './show-log.ts';
import { showSavingsReport } from './show-savings-report.ts';
import { sleepEnvironment } from './sleep-environment.ts';
import { startDev } from './start-dev.ts';
import { stopDev } from './stop-dev.ts';
import { stopLogs } from './stop-logs.ts';
import { toggleShowAll } from './toggle-show-all.ts';
import { updateFromBaseline } from './update-from-baseline.ts';
import { wakeEnvironment } from './wake-environment.ts';

export const COMMANDS: Record<string, CommandFactory> = {
  'tenv.addToEnvironment': addToEnvironment,
  'tenv.createEnvironment': createEnvironment,
  'tenv.deleteEnvironment': deleteEnvironment,
  'tenv.extendEnvironment': extendEnvironment,
  'tenv.keepAwake': keepAwake,
  'tenv.openInGrafana': openInGrafana,
  'tenv.refresh': refresh,
  'tenv.removeFromEnvironment': removeFromEnvironment,
  'tenv.selectContext': selectContext,
  'tenv.selectEnvironment': selectEnvironment,
  'tenv.showEvents': showEvents,
  'tenv.showLogs': showLogs,
  'tenv.showLog': showLog,
  'tenv.showSavingsReport': showSavingsReport,
  'tenv.sleepEnvironment': sleepEnvironment,
  'tenv.startDev': startDev,
  'tenv.stopDev': stopDev,
  'tenv.stopLogs': stopLogs,
  'tenv.toggleShowAll': toggleShowAll,
  'tenv.updateFromBaseline': updateFromBaseline,
  'tenv.wakeEnvironment': wakeEnvironment,
};
