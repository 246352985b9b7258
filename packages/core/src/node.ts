// Node-only entry point: run engines (local processes, Argo on Kubernetes) and file-system helpers.
export * from './index.js';
export * from './run/types.js';
export * from './run/scheduler.js';
export { LocalBackend, type LocalBackendOptions } from './run/local/backend.js';
export { listRunRecords, type RunRecord, type StepRecord } from './run/local/record.js';
export { resolvePython } from './run/local/python.js';
export { EngineServer, type EngineServerOptions } from './serve/server.js';
export * from './verify/index.js';
export { runtimeDir, runtimeFiles } from './compile/step/runtimeFiles.js';
export { ArgoBackend, cancelWorkflow, type ArgoBackendOptions, type ArgoRunHandle } from './run/argo/backend.js';
export { listArgoRuns, readArgoLogs, retryArgoRun, type ArgoRunSummary } from './run/argo/operations.js';
export { ClusterError } from './run/argo/errors.js';
export { ClientNodeKube, loadKubeConfig, type KubeApi, type KubeTarget } from './run/argo/kube.js';
export { prepareSubmission, type Submission } from './run/argo/submission.js';
