import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parameterFields } from '../compile/step/carried.js';
import { runtimeDir } from '../compile/step/runtimeFiles.js';
import type { MetricValue } from '../events/runEvent.js';
import type { InputKind, PipelineGraph } from '../graph/types.js';
import type { Notebook } from '../notebook/model.js';
import { resolvePython } from '../run/local/python.js';

/** Producer name the tracer gives to pipeline parameters (they are bound before any step runs). */
export const PARAMETERS_PRODUCER = '(parameters)';
/** Pseudo-step of cells every step re-executes (`imports` / `functions` tags): code, never a step's own cells. */
export const SHARED_CODE_STEP = '(shared code)';

/** What `python -m cellpipe.tracer --plan` executes: the cells the pipeline runs, in notebook order. */
export interface TracePlan {
  version: 1;
  notebook: string;
  cells: { id: string; index: number; source: string; step: string }[];
  parameters: Record<string, unknown>;
  /** Python source of parameter values, evaluated as the step runtime does (see `StepSpec.parameterSources`). */
  parameterSources?: Record<string, string>;
  metrics: string[];
}

export interface TraceStep {
  name: string;
  cells: string[];
  /** Names the step read before writing them itself (mutated names count as read), with the reading cells. */
  reads: Record<string, { cells: string[]; kind: InputKind }>;
  writes: string[];
  mutates: string[];
  /** Content digest, at the end of the step, of every name it wrote or mutated. */
  digests: Record<string, { digest: string; kind: InputKind }>;
}

/** A data edge observed in a real top-to-bottom execution. */
export interface TraceEdge {
  name: string;
  /** Nearest earlier step that wrote or mutated the name, or `(parameters)`. */
  from: string;
  to: string;
  kind: InputKind;
  /** Cells of `to` that read the name. */
  cells: string[];
}

/** The tracer's output document (`TRACE.json`). */
export interface Trace {
  version: 1;
  notebook: string;
  python: string;
  status: 'succeeded' | 'failed';
  error: { cellId: string; cellIndex: number; step: string; type: string; message: string; traceback: string } | null;
  steps: TraceStep[];
  edges: TraceEdge[];
  metrics: Record<string, MetricValue>;
}

/** The plan for the pipeline's own step → cell mapping; a cell listed by several steps runs once, in the first. */
export function buildTracePlan(
  notebook: Notebook,
  graph: PipelineGraph,
  parameters: Record<string, unknown> = {},
): TracePlan {
  const stepOfCell = new Map<string, string>();
  for (const step of graph.steps) for (const id of step.cells) if (!stepOfCell.has(id)) stepOfCell.set(id, step.name);
  for (const step of graph.steps)
    for (const dep of step.code) if (!stepOfCell.has(dep.cellId)) stepOfCell.set(dep.cellId, SHARED_CODE_STEP);
  return {
    version: 1,
    notebook: notebook.name,
    cells: notebook.cells
      .filter((cell) => stepOfCell.has(cell.id))
      .map((cell) => ({
        id: cell.id,
        index: cell.index,
        source: cell.source,
        step: stepOfCell.get(cell.id) as string,
      })),
    ...parameterFields(graph, Object.keys(graph.parameters), { ...graph.parameters, ...parameters }),
    metrics: [...new Set(graph.steps.flatMap((step) => step.metrics))],
  };
}

export interface RunTracerOptions {
  /** The notebook file; the tracer runs in its folder, as Jupyter would. */
  notebookPath: string;
  plan: TracePlan;
  python?: string;
  signal?: AbortSignal;
  /** Receives the notebook's own stdout/stderr (default: discarded). */
  onOutput?(stream: 'stdout' | 'stderr', text: string): void;
}

/** Runs the plan top to bottom in one Python process under the tracer and returns its trace. */
export async function runTracer(options: RunTracerOptions): Promise<Trace> {
  const work = mkdtempSync(join(tmpdir(), 'cellpipe-trace-'));
  try {
    const planPath = join(work, 'plan.json');
    const tracePath = join(work, 'trace.json');
    writeFileSync(planPath, JSON.stringify(options.plan));
    const python = resolvePython(options.python);
    const env = { ...process.env, PYTHONPATH: [runtimeDir(), process.env.PYTHONPATH].filter(Boolean).join(':') };
    const child = spawn(python, ['-m', 'cellpipe.tracer', '--plan', planPath, '--out', tracePath], {
      cwd: dirname(resolve(options.notebookPath)),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => options.onOutput?.('stdout', text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      options.onOutput?.('stderr', text);
    });
    const code = await new Promise<number>((resolveExit, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode, signal) => resolveExit(exitCode ?? (signal ? 128 : 1)));
    });
    // Exit 1 with a trace means a cell raised; without one, the tracer itself failed (its last line says why).
    if ((code !== 0 && code !== 1) || !existsSync(tracePath)) {
      const last = stderr.trim().split('\n').pop() ?? '';
      throw new Error(`cellpipe tracer failed (exit ${code}) on ${options.plan.notebook}: ${last}`);
    }
    return JSON.parse(readFileSync(tracePath, 'utf8')) as Trace;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
