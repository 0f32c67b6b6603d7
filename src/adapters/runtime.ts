// The heavy half of the extension (client-node, execa, chokidar), bundled as dist/runtime.js and
// loaded on first use so that activation stays cheap. The extension sees only this module's type.
export { loadKubeConfig, listContexts } from './kube.ts';
export type { KubeSession, KubeTarget } from './kube.ts';
export { EnvironmentStore } from './environment-store.ts';
export type { StoreStatus } from './environment-store.ts';
export { createEnvironment, deleteEnvironment, extendEnvironment, whoAmI } from './environments.ts';
export { createFromBaseline, diffEnvironment, listBaselines, refreshEnvironment } from './baseline.ts';
export { keepAwake, sleepEnvironment, wakeEnvironment } from './sleep.ts';
export { waitUntilReady } from './wait-ready.ts';
export { devServiceForWorkloadIn, loadWorkspaceManifest, oktetoRunFor, planDev, servicesInEnvironment, stopDevMode, OktetoCli, wakeForDev } from './dev-mode.ts';
export type { DevPlan, LoadedManifest } from './dev-mode.ts';
export { OktetoSessionWatcher, SIGHUP_EXIT_CODE } from './okteto-session-watcher.ts';
export { readSession } from './okteto-state-folder.ts';
export { WorkloadLogStream } from './pod-logs.ts';
export { addServicesToOverlay, addToOverlay, changedServices, dropFromOverlay, planOverlayFrom, routedWorkload, workloadsBehindServices } from './overlay.ts';
