// Node entry for the local run engine alone: what `cellpipe run` needs, without the compilers, the graph layout or
// the cluster client, whose loading would be most of a cached re-run's time.
export type * from './events/runEvent.js';
export * from './events/ndjson.js';
export * from './events/runProgress.js';
export * from './run/types.js';
export { cellLabel } from './notebook/cellLabel.js';
export { parseParameterOverride, parseParameterValue } from './analysis/literal.js';
export { LocalBackend, type LocalBackendOptions } from './run/local/backend.js';
