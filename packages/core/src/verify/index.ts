// `cellpipe verify` and `run --verify`: the static graph and a run's values checked against a real execution.
export * from './trace.js';
export * from './compare.js';
export * from './verify.js';
