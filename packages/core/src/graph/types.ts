import type { StepSettings } from '../notebook/model.js';

/** What a step receives from an earlier step. */
export type InputKind = 'value' | 'function' | 'class' | 'module';

export interface StepInput {
  name: string;
  /** Name of the producing step. */
  from: string;
  kind: InputKind;
}

export type WarningCode =
  | 'syntax-error'
  | 'unknown-tag'
  | 'malformed-tag'
  | 'star-import'
  | 'dynamic-code'
  | 'unresolved-name'
  | 'name-normalized'
  | 'untravelable-value'
  | 'not-python'
  | 'duplicate-step'
  | 'unknown-step'
  | 'later-step'
  | 'cycle'
  | 'name-collision'
  | 'invalid-parameter'
  | 'unknown-metric'
  | 'empty-step'
  | 'shell-command'
  | 'class-state'
  | 'view-state';

export interface AnalysisWarning {
  code: WarningCode;
  message: string;
  /** Cell the warning is about, when there is one. */
  cellId?: string;
  cellIndex?: number;
  /** 1-based line within the cell. */
  line?: number;
  /** `error` blocks compiling and running (the CLI exits 2); absent means a warning. */
  severity?: 'error' | 'warning';
}

/**
 * Code that a consumer step re-executes instead of receiving a serialized object:
 * imports, function and class definitions (one top-level statement each).
 */
export interface CodeDependency {
  /** Names the statement binds (`import numpy as np` binds `np`). */
  names: string[];
  kind: Exclude<InputKind, 'value'>;
  /** Exact source of the top-level statement, decorators included. */
  source: string;
  /** Values (step inputs) the statement reads when it runs: they are loaded before it. */
  reads?: string[];
  cellId: string;
  /** Producing step. */
  from: string;
}

export interface PipelineStep {
  /** Kubernetes-safe (RFC 1123 label) step name. */
  name: string;
  /** Name as written in the tag, before normalisation. */
  displayName: string;
  /** Ids of the cells the step executes, in notebook order (never `skip`, parameter or metrics cells). */
  cells: string[];
  /** Direct upstream steps (inferred data edges plus `prev:`), in notebook order. */
  after: string[];
  inputs: StepInput[];
  /** Names this step binds or mutates that some later step reads. */
  outputs: string[];
  /** Code re-executed before the step's cells, in the order it must run. */
  code: CodeDependency[];
  /** Pipeline parameters the step reads. */
  parameters: string[];
  /** Metric names reported by this step. */
  metrics: string[];
  settings: StepSettings;
  /**
   * Files passed between steps by path literal (`df.to_csv("clean.csv")` here, `pd.read_csv("clean.csv")` later):
   * on a cluster each must travel as an artifact from `from` to this step. Absent when the step shares no file.
   */
  files?: StepFiles;
  /**
   * Set when the step seeds or draws from the global RNGs (`random`, `numpy.random`): it saves their state after its
   * cells, and restores first the state step `from` saved, so draws continue as in one kernel.
   */
  randomState?: { from?: string };
  /**
   * Set when the step runs code the analysis cannot see into (`exec`, `%run`, `from m import *`): it is asked for
   * every name it may bind, and an output it did not bind travels as unbound, as the name is in the notebook there.
   */
  dynamic?: true;
}

export interface StepFiles {
  /** Paths (relative to the notebook's folder, as written) this step reads that an earlier step wrote. */
  reads: { path: string; from: string }[];
  /** Paths this step writes that a later step reads. */
  writes: string[];
}

export type ParameterValue = string | number | boolean | null | ParameterValue[] | { [key: string]: ParameterValue };

export interface PipelineGraph {
  name: string;
  steps: PipelineStep[];
  /** Defaults from the `pipeline-parameters` cell, keyed by name. */
  parameters: Record<string, ParameterValue>;
  /** Each default's Python source text, which the runtime evaluates (`ast.literal_eval`) for Python's exact values. */
  parameterSources?: Record<string, string>;
  /**
   * Every top-level import, `def` and `class` statement, in notebook order, for defining on demand while unpickling
   * (imports too, for the decorators and bases a definition needs); not functions that travel as values.
   */
  definitions: CodeDependency[];
  warnings: AnalysisWarning[];
}
