import { cellLabel } from '../notebook/cellLabel.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { runtimeDir } from '../compile/step/runtimeFiles.js';
import type { MetricValue } from '../events/runEvent.js';
import type { AnalysisWarning, PipelineGraph } from '../graph/types.js';
import { analyzeNotebook } from '../graph/build.js';
import type { Notebook } from '../notebook/model.js';
import { readNotebook } from '../notebook/read.js';
import { resolvePython } from '../run/local/python.js';
import type { RunRecord } from '../run/local/record.js';
import { compareEdges, type EdgeFinding } from './compare.js';
import { buildTracePlan, runTracer, type Trace } from './trace.js';

export interface VerifyOptions {
  python?: string;
  /** Parameter overrides (the graph's defaults otherwise). */
  parameters?: Record<string, unknown>;
  signal?: AbortSignal;
  onOutput?(stream: 'stdout' | 'stderr', text: string): void;
}

/** `cellpipe verify`: the static graph checked against one real top-to-bottom execution. */
export interface NotebookVerification {
  notebook: string;
  graph: PipelineGraph;
  trace: Trace;
  /** Traced edges the graph lacks (errors). */
  missed: EdgeFinding[];
  /** Graph inputs never used in the execution (warnings). */
  extra: EdgeFinding[];
  tracedEdges: number;
  staticEdges: number;
  /** The analysis' own warnings (dynamic code, star imports …), passed through. */
  warnings: AnalysisWarning[];
  /** Set when the notebook itself failed top to bottom: one line naming the cell. */
  executionError?: string;
}

/** Reads and analyses the notebook, runs it under the tracer and compares the edges. */
export async function verifyNotebook(notebookPath: string, options: VerifyOptions = {}): Promise<NotebookVerification> {
  const notebook = readNotebook(readFileSync(notebookPath, 'utf8'), notebookPath);
  const graph = analyzeNotebook(notebook);
  return verifyAnalyzed(notebookPath, notebook, graph, options);
}

/** As `verifyNotebook`, for a notebook and graph the caller already has (an editor's live model). */
export async function verifyAnalyzed(
  notebookPath: string,
  notebook: Notebook,
  graph: PipelineGraph,
  options: VerifyOptions = {},
): Promise<NotebookVerification> {
  const plan = buildTracePlan(notebook, graph, options.parameters);
  const trace = await runTracer({
    notebookPath,
    plan,
    python: options.python,
    signal: options.signal,
    onOutput: options.onOutput,
  });
  const comparison = compareEdges(notebook, graph, trace);
  const failure = trace.error;
  return {
    notebook: notebookPath,
    graph,
    trace,
    ...comparison,
    warnings: graph.warnings,
    executionError: failure
      ? `${cellLabel(failure.cellIndex)} (${failure.cellId}) of step '${failure.step}' raised ${failure.type}: ${failure.message.split('\n')[0]}`
      : undefined,
  };
}

/** One saved output (or metric) whose value differs from the top-to-bottom value at the same step boundary. */
export interface ValueFinding {
  step: string;
  name: string;
  /** One line naming the step, the name and why. */
  message: string;
}

export interface RunVerification {
  /** Outputs and metrics compared. */
  compared: number;
  differing: ValueFinding[];
  /** Outputs whose top-to-bottom value has no stable digest (open handles, objects with caches or ids inside). */
  uncomparable: ValueFinding[];
  /** Steps of the run that did not succeed, so could not be compared. */
  notCompared: string[];
}

/**
 * `cellpipe run --verify`: loads every output a finished local run saved (with the step runtime's own
 * loaders, in Python) and compares its digest with the traced value at the end of the same step; metrics
 * are compared with the traced final values.
 */
export async function verifyRun(
  notebookPath: string,
  runRecordDir: string,
  trace: Trace,
  options: { python?: string; signal?: AbortSignal } = {},
): Promise<RunVerification> {
  // Accept the run folder or its run.json (what `run-finished` reports as `recordPath`).
  if (basename(runRecordDir) === 'run.json') runRecordDir = dirname(runRecordDir);
  const record = JSON.parse(readFileSync(join(runRecordDir, 'run.json'), 'utf8')) as RunRecord;
  const finished = record.steps.filter((step) => step.state === 'succeeded' || step.state === 'cached');
  const notCompared = record.steps.filter((step) => !finished.includes(step)).map((step) => step.name);
  const notebook = readNotebook(readFileSync(notebookPath, 'utf8'), notebookPath);
  const definitions = analyzeNotebook(notebook).definitions;
  const cellIndex = new Map(notebook.cells.map((cell) => [cell.id, cell.index]));
  const saved = await Private.digestOutputs(
    finished
      .filter((step) => existsSync(join(runRecordDir, step.outDir, 'manifest.json')))
      .map((step) => {
        // A step's outputs may be instances of classes it defines itself, which its own spec does not list.
        const last = Math.max(...step.cells.map((id) => cellIndex.get(id) ?? -1));
        const visible: Record<string, { source: string; cellId: string }> = {};
        for (const def of definitions)
          if ((cellIndex.get(def.cellId) ?? Infinity) <= last)
            for (const name of def.names) visible[name] = { source: def.source, cellId: def.cellId };
        return {
          step: step.name,
          outDir: resolve(runRecordDir, step.outDir),
          spec: resolve(runRecordDir, step.spec),
          definitions: visible,
        };
      }),
    notebookPath,
    options,
  );
  const differing: ValueFinding[] = [];
  const uncomparable: ValueFinding[] = [];
  let compared = 0;
  const stepOrder = trace.steps.map((step) => step.name);
  for (const [step, outputs] of Object.entries(saved)) {
    for (const [name, found] of Object.entries(outputs)) {
      compared += 1;
      const expected = Private.tracedDigest(trace, stepOrder, step, name);
      if ('error' in found)
        differing.push({ step, name, message: `step '${step}' output '${name}' could not be loaded: ${found.error}` });
      else if (expected === undefined)
        differing.push({
          step,
          name,
          message: `step '${step}' saved '${name}', which the notebook never had at that point`,
        });
      else if (expected.startsWith('opaque:') || expected.startsWith('unstable:'))
        uncomparable.push({
          step,
          name,
          message: `step '${step}' output '${name}' has no stable content digest (${expected.split(':')[0]}), not compared`,
        });
      else if (expected !== found.digest)
        differing.push({
          step,
          name,
          message: `step '${step}' output '${name}' differs from the value the notebook has at the end of that step`,
        });
    }
  }
  for (const step of finished) {
    for (const [name, value] of Object.entries(step.metrics)) {
      if (!(name in trace.metrics)) continue;
      compared += 1;
      if (!Private.sameMetric(trace.metrics[name] as MetricValue, value))
        differing.push({
          step: step.name,
          name,
          message: `metric '${name}' of step '${step.name}' is ${JSON.stringify(value)}, the notebook gives ${JSON.stringify(trace.metrics[name])}`,
        });
    }
  }
  return { compared, differing, uncomparable, notCompared };
}

namespace Private {
  type OutputDigests = Record<string, Record<string, { digest: string } | { error: string }>>;

  export function tracedDigest(trace: Trace, order: string[], step: string, name: string): string | undefined {
    const last = order.indexOf(step);
    for (let position = last; position >= 0; position -= 1) {
      const found = trace.steps[position]?.digests[name];
      if (found) return found.digest;
    }
    return undefined;
  }

  export function sameMetric(expected: MetricValue, actual: MetricValue): boolean {
    return typeof expected === 'number' && typeof actual === 'number'
      ? Object.is(expected, actual) || expected === actual
      : expected === actual;
  }

  export async function digestOutputs(
    steps: {
      step: string;
      outDir: string;
      spec: string;
      definitions: Record<string, { source: string; cellId: string }>;
    }[],
    notebookPath: string,
    options: { python?: string; signal?: AbortSignal },
  ): Promise<OutputDigests> {
    if (steps.length === 0) return {};
    const work = mkdtempSync(join(tmpdir(), 'cellpipe-digests-'));
    try {
      const listPath = join(work, 'steps.json');
      const outPath = join(work, 'digests.json');
      writeFileSync(listPath, JSON.stringify(steps));
      const child = spawn(
        resolvePython(options.python),
        ['-m', 'cellpipe.tracer', '--digest-outputs', listPath, '--out', outPath],
        {
          cwd: resolve(notebookPath, '..'),
          env: { ...process.env, PYTHONPATH: [runtimeDir(), process.env.PYTHONPATH].filter(Boolean).join(':') },
          stdio: ['ignore', 'ignore', 'pipe'],
          signal: options.signal,
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const code = await new Promise<number>((done, reject) => {
        child.on('error', reject);
        child.on('close', (exitCode) => done(exitCode ?? 1));
      });
      if (code !== 0)
        throw new Error(`loading the run's outputs failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
      return JSON.parse(readFileSync(outPath, 'utf8')) as OutputDigests;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
