// Browser-safe entry point: notebook model, tags, analysis, graph, compilers, event types.
export type * from './notebook/model.js';
export type * from './graph/types.js';
export type * from './events/runEvent.js';
export type * from './compile/step/spec.js';
export * from './events/ndjson.js';
export * from './events/channel.js';
export type * from './serve/protocol.js';
