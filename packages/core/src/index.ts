// Browser-safe entry point: notebook model, tags, analysis, graph, compilers, event types.
export type * from './notebook/model.js';
export type * from './graph/types.js';
export type * from './events/runEvent.js';
export type * from './compile/step/spec.js';
