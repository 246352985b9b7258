// Node-only entry point: run engines (local processes, Argo on Kubernetes) and file-system helpers.
export * from './index.js';
export * from './verify/index.js';
