// Browser-safe entry point: notebook model, tags, analysis, graph, compilers, event types.
export type * from './notebook/model.js';
export type * from './graph/types.js';
export type * from './events/runEvent.js';
export type * from './compile/step/spec.js';
export * from './events/ndjson.js';
export * from './events/channel.js';
export * from './events/runProgress.js';
export type * from './serve/protocol.js';
export * from './notebook/read.js';
export * from './notebook/cellLabel.js';
export * from './notebook/builder.js';
export * from './tags/parse.js';
export * from './tags/edit.js';
export * from './tags/names.js';
export { analyzeCellSource } from './analysis/cellFacts.js';
export type {
  CellFacts,
  CellProblem,
  DefinitionFacts,
  FactEvent,
  FunctionFacts,
  StatementFacts,
} from './analysis/cellFacts.js';
export { ipythonToPython } from './analysis/ipython.js';
export { parseParameterOverride, parseParameterValue, evaluateLiteral, PythonLiteral } from './analysis/literal.js';
export { analyzeNotebook, graphErrors, graphToJson } from './graph/build.js';
export { assignCells, pipelineName, stepNameForCells } from './graph/membership.js';
export type { CellMembership, CellRoleKind, Membership, StepMembership } from './graph/membership.js';
export { NotebookAnalyzer } from './graph/analyzer.js';
export {
  compileArgo,
  buildArgoWorkflow,
  ARGO_METRICS_PARAMETER,
  ARGO_OUTPUT_ARTIFACT,
  ARGO_PATHS,
} from './compile/argo/compile.js';
export type { ArgoCompileOptions } from './compile/argo/compile.js';
export {
  parameterKind,
  parameterText,
  parseParameterAssignments,
  parseParameterText,
  resolveParameters,
} from './compile/argo/parameters.js';
export type { ParameterKind } from './compile/argo/parameters.js';
export { layoutGraph } from './graph/layout.js';
export type { GraphLayout, LayoutEdge, LayoutNode, LayoutOptions } from './graph/layout.js';
export { compileKfp, buildKfpPipeline, KFP_METRICS_ARTIFACT, KFP_PARAMETER_TYPES } from './compile/kfp/compile.js';
export type { KfpCompileOptions } from './compile/kfp/compile.js';
