import { cellLabel } from '../../notebook/cellLabel.js';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildStepSpec } from '../../compile/step/build.js';
import { runtimeDir } from '../../compile/step/runtimeFiles.js';
import type { StepManifest } from '../../compile/step/spec.js';
import { EventChannel } from '../../events/channel.js';
import type { MetricValue, RunEvent, RunFinishedEvent, RunState } from '../../events/runEvent.js';
import type { PipelineGraph, PipelineStep } from '../../graph/types.js';
import { graphErrors } from '../../graph/build.js';
import { analyzeWithCache } from './analysisCache.js';
import type { Notebook } from '../../notebook/model.js';
import { readNotebook } from '../../notebook/read.js';
import { runSchedule, type StepOutcome } from '../scheduler.js';
import { RunInputError, type RunBackend, type RunHandle, type RunOptions } from '../types.js';
import { writeJsonAtomic } from './atomic.js';
import { cacheKey, environmentRead, referencedFiles, StepCache } from './cache.js';
import { pythonIdentity, resolvePython } from './python.js';
import { ensureRunRoot, markInterruptedRuns, RunRecordWriter, thisEngine, type StepRecord } from './record.js';
import { runtimeDigest } from './runtimeDigest.js';
import { runStepProcess, type RuntimeEvent, type StepProcessOptions } from './stepProcess.js';
import { RunWarmth, warmByDefault, WarmPools } from './warm/pools.js';

export interface LocalBackendOptions {
  /** Time between SIGTERM and SIGKILL when steps are stopped (default 3 s). */
  killGraceMs?: number;
  /** Keep warm step pools between runs (editors' engines), until `close()`. */
  keepWarm?: boolean;
}

/** Everything `start` validated before the run begins. */
interface PreparedRun {
  notebookPath: string;
  notebook: Notebook;
  graph: PipelineGraph;
  parameters: Record<string, unknown>;
  python: string;
  jobs: number;
  cache: boolean;
  runRoot: string;
  /** Saves the notebook's analysis for the next run (a no-op when it came from there). */
  keepAnalysis: () => void;
  /** Runtime version and Python identity for cache keys; absent when the cache is off. */
  fingerprint?: { runtime: string; python: string };
  runtimeDir: string;
  /** Fork steps from a warm pool; false for `--no-warm` or `CELLPIPE_WARM=0`. */
  warm: boolean;
}

/** Log text a run's event channel keeps for consumers that attach late. */
const LOG_REPLAY_CHARS = 1 << 20;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Runs each step as its own Python process on this machine, in parallel where the graph allows, cached. */
export class LocalBackend implements RunBackend {
  private readonly pools: WarmPools;

  constructor(private readonly options: LocalBackendOptions = {}) {
    this.pools = new WarmPools(options.keepWarm === true);
  }

  /** Stops the warm pools kept between runs. */
  close(): void {
    this.pools.close();
  }

  start(options: RunOptions): RunHandle {
    const prepared = prepareRun(options);
    const runId = newRunId();
    ensureRunRoot(prepared.runRoot);
    prepared.keepAnalysis();
    markInterruptedRuns(prepared.runRoot);
    const runDir = join(prepared.runRoot, 'runs', runId);
    mkdirSync(runDir, { recursive: true });
    const controller = new AbortController();
    const cancel = (): void => controller.abort();
    if (options.signal?.aborted) cancel();
    else options.signal?.addEventListener('abort', cancel, { once: true });

    // Log text is in the run record's files; replaying all of it to a late consumer would hold it all in memory.
    const channel = new EventChannel<RunEvent>({
      droppableSize: (event) => (event.type === 'step-log' ? event.text.length : undefined),
      replayBudget: LOG_REPLAY_CHARS,
    });
    const warmth = prepared.warm
      ? new RunWarmth(
          this.pools,
          { python: prepared.python, runtimeDir: prepared.runtimeDir, cwd: dirname(prepared.notebookPath) },
          prepared.notebook,
          prepared.graph,
        )
      : undefined;
    const run = new LocalRun(runId, runDir, prepared, channel, controller.signal, this.options, warmth);
    const done = run.execute().finally(() => options.signal?.removeEventListener('abort', cancel));
    return { runId, events: channel, cancel, done };
  }
}

/** One run in progress: schedules the steps, keeps `run.json` current and emits the events. */
class LocalRun {
  private readonly record: RunRecordWriter;
  private readonly cache: StepCache;
  private readonly manifests = new Map<string, StepManifest>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly runId: string,
    private readonly runDir: string,
    private readonly run: PreparedRun,
    private readonly channel: EventChannel<RunEvent>,
    private readonly signal: AbortSignal,
    private readonly options: LocalBackendOptions,
    private readonly warmth: RunWarmth | undefined,
  ) {
    this.cache = new StepCache(join(run.runRoot, 'cache'));
    this.record = new RunRecordWriter(runDir, {
      version: 1,
      runId,
      notebook: run.notebookPath,
      backend: 'local',
      state: 'running',
      engine: thisEngine(),
      startedAt: new Date(this.startedAt).toISOString(),
      parameters: run.parameters,
      python: run.python,
      jobs: run.jobs,
      cache: run.cache,
      warm: run.warm,
      steps: run.graph.steps.map((step): StepRecord => ({
        name: step.name,
        state: 'pending',
        after: step.after,
        cells: step.cells,
        cached: false,
        metrics: {},
        spec: `steps/${step.name}/spec.json`,
        outDir: `steps/${step.name}/out`,
        stdout: `steps/${step.name}/stdout.log`,
        stderr: `steps/${step.name}/stderr.log`,
        attempts: 0,
      })),
    });
  }

  async execute(): Promise<RunFinishedEvent> {
    this.emit({
      type: 'run-started',
      notebook: this.run.notebookPath,
      backend: 'local',
      steps: this.run.graph.steps.map((step) => ({ name: step.name, cells: step.cells, after: step.after })),
      parameters: this.run.parameters,
    });
    let state: RunState;
    let failure: string | undefined;
    try {
      const fingerprint = this.run.fingerprint;
      const result = await runSchedule({
        steps: this.run.graph.steps,
        jobs: this.run.jobs,
        signal: this.signal,
        execute: (step, signal) => this.executeStep(step, signal, fingerprint),
        onState: (step, stepState, reason) => {
          // `running` is announced by the step itself once its process starts: a cache hit never runs.
          if (stepState !== 'running') this.setStepState(step.name, stepState, reason);
        },
      });
      const states = [...result.states.values()];
      state = result.cancelled ? 'cancelled' : states.includes('failed') ? 'failed' : 'succeeded';
    } catch (error) {
      state = 'failed';
      failure = (error as Error).message;
    }
    await this.warmth?.release();
    const elapsedMs = Date.now() - this.startedAt;
    this.record.update((record) => {
      record.state = state;
      record.finishedAt = new Date().toISOString();
      record.elapsedMs = elapsedMs;
      if (failure) record.reason = failure;
      for (const step of record.steps)
        if (!isFinal(step.state)) {
          step.state = state === 'cancelled' ? 'cancelled' : 'skipped';
          step.reason ??= state === 'cancelled' ? 'run cancelled' : 'run ended before the step started';
        }
    });
    this.record.flush();
    const finished = this.emit({
      type: 'run-finished',
      state,
      elapsedMs,
      metrics: Object.fromEntries(this.record.record.steps.map((step) => [step.name, step.metrics])),
      recordPath: this.record.path,
    }) as RunFinishedEvent;
    this.channel.close();
    return finished;
  }

  private async executeStep(
    step: PipelineStep,
    signal: AbortSignal,
    fingerprint: { runtime: string; python: string } | undefined,
  ): Promise<StepOutcome> {
    const stepDir = join(this.runDir, 'steps', step.name);
    const outDir = join(stepDir, 'out');
    mkdirSync(outDir, { recursive: true });
    const spec = buildStepSpec(this.run.notebook, this.run.graph, step.name, {
      parameters: this.run.parameters,
      inputDir: (producer) => join(this.runDir, 'steps', producer, 'out'),
    });

    let key: string | undefined;
    if (fingerprint && step.settings.cache !== false) {
      const inputHashes: Record<string, string> = {};
      let complete = true;
      for (const action of spec.prepare) {
        if (action.action !== 'load') continue;
        const hash = this.manifests.get(action.from)?.outputs[action.name]?.sha256;
        if (hash) inputHashes[action.name] = hash;
        else complete = false;
      }
      if (complete)
        key = cacheKey({
          spec,
          inputHashes,
          runtimeVersion: fingerprint.runtime,
          pythonIdentity: fingerprint.python,
          files: referencedFiles(spec, dirname(this.run.notebookPath)),
          environment: environmentRead(spec),
        });
      const hit = key ? this.cache.lookup(key) : undefined;
      if (key && hit && this.restore(key, stepDir)) {
        this.manifests.set(step.name, hit);
        this.emitManifestMetrics(step.name, hit, new Set());
        this.record.update(() => {
          const record = this.record.step(step.name);
          record.cached = true;
          record.cacheKey = key;
          record.metrics = finalMetrics(hit);
        });
        return { state: 'cached' };
      }
    }

    const specPath = join(stepDir, 'spec.json');
    writeJsonAtomic(specPath, spec);
    const attempts = 1 + Math.max(0, step.settings.retries ?? 0);
    let outcome: StepOutcome = { state: 'failed', reason: 'not run' };
    const warm = await this.warmth?.forStep(spec);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      outcome = await this.runAttempt(step, stepDir, specPath, signal, attempt, warm);
      if (outcome.state !== 'failed') break;
    }
    if (outcome.state === 'succeeded' && key) {
      this.record.update(() => (this.record.step(step.name).cacheKey = key));
      try {
        this.cache.store(key, stepDir);
      } catch {
        // The cache is an optimisation: a full disk or a read-only folder must not fail a step that succeeded.
      }
    }
    return outcome;
  }

  /** Links a cache entry into the step folder; false (run the step instead) if the entry vanished meanwhile. */
  private restore(key: string, stepDir: string): boolean {
    try {
      this.cache.restore(key, stepDir);
      return true;
    } catch {
      rmSync(join(stepDir, 'out'), { recursive: true, force: true });
      mkdirSync(join(stepDir, 'out'), { recursive: true });
      return false;
    }
  }

  private async runAttempt(
    step: PipelineStep,
    stepDir: string,
    specPath: string,
    signal: AbortSignal,
    attempt: number,
    warm: StepProcessOptions['warm'],
  ): Promise<StepOutcome> {
    const outDir = join(stepDir, 'out');
    const started = Date.now();
    const liveMetrics = new Set<string>();
    let runtimeError: Extract<RuntimeEvent, { event: 'error' }> | undefined;
    this.record.update(() => {
      const record = this.record.step(step.name);
      record.attempts = attempt;
      record.startedAt = new Date(started).toISOString();
    });
    this.setStepState(step.name, 'running', attempt > 1 ? `retry ${attempt - 1}` : undefined);

    const result = await runStepProcess({
      python: this.run.python,
      runtimeDir: this.run.runtimeDir,
      specPath,
      outDir,
      cwd: dirname(this.run.notebookPath),
      stdoutPath: join(stepDir, 'stdout.log'),
      stderrPath: join(stepDir, 'stderr.log'),
      appendLogs: attempt > 1,
      signal,
      timeoutSeconds: step.settings.timeoutSeconds,
      killGraceMs: this.options.killGraceMs,
      warm,
      onLog: (stream, text) => this.emit({ type: 'step-log', step: step.name, stream, text }),
      onRuntimeEvent: (event) => {
        if (event.event === 'metric') {
          liveMetrics.add(event.name);
          this.record.step(step.name).metrics[event.name] = event.value;
          this.emit({ type: 'step-metric', step: step.name, name: event.name, value: event.value, index: event.index });
        } else if (event.event === 'error') runtimeError = event;
      },
    });
    const elapsedMs = Date.now() - started;
    this.record.update(() => {
      const record = this.record.step(step.name);
      record.elapsedMs = elapsedMs;
      record.warm = result.warm;
      if (result.coldReason) record.coldReason = result.coldReason;
      record.finishedAt = new Date().toISOString();
    });

    if (result.aborted) return { state: 'cancelled', reason: 'run cancelled' };
    if (result.spawnError) return { state: 'failed', reason: result.spawnError };
    if (result.timedOut) return { state: 'failed', reason: `timed out after ${step.settings.timeoutSeconds}s` };
    const manifest = readManifest(outDir);
    if (result.exitCode === 0 && manifest?.status === 'succeeded') {
      this.manifests.set(step.name, manifest);
      this.emitManifestMetrics(step.name, manifest, liveMetrics);
      this.record.update(() => (this.record.step(step.name).metrics = finalMetrics(manifest)));
      return { state: 'succeeded' };
    }
    const error = runtimeError ?? manifest?.error;
    if (result.exitCode === 1 && error) {
      const { type, message, cellId, cellIndex, line, traceback } = error;
      this.record.update(
        () => (this.record.step(step.name).error = { type, message, cellId, cellIndex, line, traceback }),
      );
      this.emit({ type: 'step-error', step: step.name, errorType: type, message, cellId, cellIndex, line, traceback });
      const where =
        cellIndex === undefined ? '' : ` (${cellLabel(cellIndex)}${line === undefined ? '' : `, line ${line}`})`;
      return { state: 'failed', reason: `${type}: ${firstLine(message)}${where}` };
    }
    if (result.exitCode === 2)
      return { state: 'failed', reason: `step runtime rejected the spec: ${result.lastStderrLine}` };
    const how = result.exitSignal ? `was killed by ${result.exitSignal}` : `exited with code ${result.exitCode}`;
    return { state: 'failed', reason: `Python ${how}${result.lastStderrLine ? `: ${result.lastStderrLine}` : ''}` };
  }

  private setStepState(name: string, state: StepRecord['state'], reason?: string): void {
    const now = Date.now();
    this.record.update(() => {
      const record = this.record.step(name);
      record.state = state;
      if (reason !== undefined && state !== 'running') record.reason = reason;
    });
    const record = this.record.step(name);
    const elapsedMs =
      record.startedAt && state !== 'queued' && !record.cached ? now - Date.parse(record.startedAt) : undefined;
    this.emit({
      type: 'step-state',
      step: name,
      state,
      elapsedMs: isFinal(state) ? (record.elapsedMs ?? elapsedMs) : elapsedMs,
      reason,
    });
  }

  private emitManifestMetrics(step: string, manifest: StepManifest, alreadySent: Set<string>): void {
    for (const [name, value] of Object.entries(manifest.metrics ?? {})) {
      if (alreadySent.has(name)) continue;
      if (Array.isArray(value))
        value.forEach((item, index) => this.emit({ type: 'step-metric', step, name, value: item, index }));
      else this.emit({ type: 'step-metric', step, name, value });
    }
  }

  private emit(event: DistributiveOmit<RunEvent, 'runId' | 'time'>): RunEvent {
    const full = { runId: this.runId, time: new Date().toISOString(), ...event } as RunEvent;
    this.channel.push(full);
    return full;
  }
}

function prepareRun(options: RunOptions): PreparedRun {
  const notebookPath = resolve(options.notebookPath);
  let text: string;
  try {
    text = readFileSync(notebookPath, 'utf8');
  } catch (error) {
    throw new RunInputError(
      `cannot read notebook ${options.notebookPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const notebook = readNotebook(text, options.notebookPath);
  const runRoot = resolve(options.runRoot ?? join(dirname(notebookPath), '.cellpipe'));
  const { graph, keep: keepAnalysis } = analyzeWithCache(notebook, text, runRoot);
  const errors = graphErrors(graph);
  // Analysis messages already name their cell (index and id).
  if (errors.length > 0) throw new RunInputError(errors.map((error) => error.message).join('; '));

  const parameters: Record<string, unknown> = { ...graph.parameters };
  for (const [name, value] of Object.entries(options.parameters ?? {})) {
    if (!(name in graph.parameters)) {
      const declared = Object.keys(graph.parameters);
      throw new RunInputError(
        `unknown parameter '${name}': ${declared.length ? `the notebook declares ${declared.join(', ')}` : 'the notebook declares no parameters'}`,
      );
    }
    parameters[name] = value;
  }
  const jobs = options.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new RunInputError(`jobs must be a positive integer, got ${options.jobs}`);
  let runtime: string;
  try {
    runtime = runtimeDir();
  } catch (error) {
    throw new RunInputError((error as Error).message);
  }
  const python = resolvePython(options.python);
  const cache = options.cache !== false;
  return {
    warm: options.warm ?? warmByDefault(),
    notebookPath,
    notebook,
    graph,
    parameters,
    python,
    jobs,
    cache,
    runtimeDir: runtime,
    fingerprint: cache
      ? { runtime: runtimeDigest(runtime, join(runRoot, 'cache', 'runtime.json')), python: pythonIdentity(python) }
      : undefined,
    runRoot,
    keepAnalysis,
  };
}

function readManifest(outDir: string): StepManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as StepManifest;
  } catch {
    return undefined;
  }
}

/** A metric logged as a series keeps its last value. */
function finalMetrics(manifest: StepManifest): Record<string, MetricValue> {
  const metrics: Record<string, MetricValue> = {};
  for (const [name, value] of Object.entries(manifest.metrics ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) metrics[name] = last;
  }
  return metrics;
}

function isFinal(state: StepRecord['state']): boolean {
  return (
    state === 'succeeded' || state === 'cached' || state === 'failed' || state === 'skipped' || state === 'cancelled'
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** Sortable and unique: `20260101-120000-a1b2c3`. */
function newRunId(): string {
  // Milliseconds included, so that run folders list in start order even for runs started within a second.
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
