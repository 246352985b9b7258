// Entry of the engine bundle (dist/engine.cjs): core's analysis, compilers and run engine. It is imported on first
// use (lazy.ts), so activation loads only the editor glue.
export { compileArgo, compileKfp, NotebookAnalyzer } from '@cellpipe/core';
export { ArgoBackend, LocalBackend, resolvePython, runtimeFiles } from '@cellpipe/core/node';
