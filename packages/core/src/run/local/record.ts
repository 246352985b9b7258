import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { MetricValue, RunState, StepState } from '../../events/runEvent.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

/** `run.json`: the whole state of one local run, rewritten atomically at every change. */
export interface RunRecord {
  version: 1;
  runId: string;
  /** Absolute path of the notebook. */
  notebook: string;
  backend: 'local';
  state: RunState;
  startedAt: string;
  finishedAt?: string;
  elapsedMs?: number;
  /** Why the engine itself stopped the run, when it was not a step's doing. */
  reason?: string;
  /** The engine process running it: a `running` record whose process is gone was interrupted. */
  engine?: EngineProcess;
  /** Parameter values of the run (defaults merged with overrides). */
  parameters: Record<string, unknown>;
  python: string;
  jobs: number;
  cache: boolean;
  /** Steps were forked from a warm pool (off with `--no-warm` or `CELLPIPE_WARM=0`). */
  warm?: boolean;
  steps: StepRecord[];
}

export interface EngineProcess {
  pid: number;
  host: string;
}

/** This process, as run records name their engine. */
export function thisEngine(): EngineProcess {
  return { pid: process.pid, host: hostname() };
}

export interface StepRecord {
  name: string;
  state: StepState;
  after: string[];
  cells: string[];
  startedAt?: string;
  finishedAt?: string;
  elapsedMs?: number;
  /** True when the outputs were served from the cache without running Python. */
  cached: boolean;
  cacheKey?: string;
  /** Final value of each metric. */
  metrics: Record<string, MetricValue>;
  /** Paths relative to the run folder. */
  spec: string;
  outDir: string;
  stdout: string;
  stderr: string;
  reason?: string;
  error?: { type: string; message: string; cellId?: string; cellIndex?: number; line?: number; traceback: string };
  /** Process attempts made (more than 1 with `retry:` settings). */
  attempts: number;
  /** The last attempt's process was forked from the warm pool. */
  warm?: boolean;
  /** Why a warm run started this step cold (fork unsafe, an import failed in the pool, the pool stopped). */
  coldReason?: string;
}

/**
 * Holds a run's record in memory and persists it after every turn of the event loop that changed it. While the run
 * is `running` it also keeps a marker in `<runRoot>/active/`, so finding interrupted runs reads only those.
 */
export class RunRecordWriter {
  readonly path: string;
  private readonly marker: string;
  private marked = false;

  /** `runDir` is `<runRoot>/runs/<runId>`. */
  constructor(
    readonly runDir: string,
    readonly record: RunRecord,
  ) {
    this.path = join(runDir, 'run.json');
    this.marker = activeMarker(dirname(dirname(runDir)), record.runId);
    this.save();
  }

  step(name: string): StepRecord {
    const step = this.record.steps.find((s) => s.name === name);
    if (!step) throw new Error(`run record has no step '${name}'`);
    return step;
  }

  /** Changes made in one turn of the event loop are written once, after it (a cached step changes several fields). */
  update(change: (record: RunRecord) => void): void {
    change(this.record);
    this.pending ??= setImmediate(() => this.flush());
  }

  /** Writes pending changes now: the run's last state must be on disk before `run-finished` is announced. */
  flush(): void {
    if (this.pending === undefined) return;
    clearImmediate(this.pending);
    this.pending = undefined;
    this.save();
  }

  private pending?: NodeJS.Immediate;

  private save(): void {
    const running = this.record.state === 'running';
    // Marked before the record says running and unmarked after it says otherwise, so no running record is unmarked.
    if (running && !this.marked) {
      mkdirSync(dirname(this.marker), { recursive: true });
      writeFileSync(this.marker, '');
      this.marked = true;
    }
    writeJsonAtomic(this.path, this.record);
    if (!running) rmSync(this.marker, { force: true });
  }
}

/** The marker of a run in progress: `<runRoot>/active/<runId>`. */
function activeMarker(runRoot: string, runId: string): string {
  return join(runRoot, 'active', runId);
}

/** Creates the run folder beside a notebook; its `.gitignore` keeps runs and cache out of the user's repository. */
export function ensureRunRoot(runRoot: string): void {
  mkdirSync(runRoot, { recursive: true });
  const ignore = join(runRoot, '.gitignore');
  if (!existsSync(ignore)) writeFileAtomic(ignore, '# cellpipe run records and cache: local, never committed\n*\n');
}

/** Past runs of a notebook, newest first, from `<runRoot>/runs/*\/run.json`; unreadable records are left out. */
export function listRunRecords(runRoot: string): RunRecord[] {
  const runsDir = join(runRoot, 'runs');
  if (!existsSync(runsDir)) return [];
  const records: RunRecord[] = [];
  for (const entry of readdirSync(runsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    try {
      const record = JSON.parse(readFileSync(join(runsDir, entry.name, 'run.json'), 'utf8')) as RunRecord;
      records.push(wasInterrupted(record) ? asInterrupted(record) : record);
    } catch {
      // A run folder without a readable run.json (being created right now) is not a run yet.
    }
  }
  return records.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
}

/**
 * Rewrites the records of this run root whose engine died mid-run (SIGKILL, crash, power loss) as
 * `interrupted`, so they stop claiming to run. Called when a new run starts in the same place.
 */
export function markInterruptedRuns(runRoot: string): void {
  let active: string[];
  try {
    active = readdirSync(join(runRoot, 'active'));
  } catch {
    return;
  }
  for (const runId of active) {
    const path = join(runRoot, 'runs', runId, 'run.json');
    let record: RunRecord | undefined;
    try {
      record = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
    } catch {
      // A marker whose record is unreadable belongs to a run being created right now, or to a deleted one.
      if (existsSync(join(runRoot, 'runs', runId))) continue;
    }
    if (record?.state === 'running') {
      if (!wasInterrupted(record)) continue;
      writeJsonAtomic(path, { ...asInterrupted(record), finishedAt: new Date().toISOString() });
    }
    rmSync(activeMarker(runRoot, runId), { force: true });
  }
}

/** A `running` record whose engine process no longer exists on this host. */
function wasInterrupted(record: RunRecord): boolean {
  if (record.state !== 'running' || !record.engine || record.engine.host !== hostname()) return false;
  try {
    process.kill(record.engine.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function asInterrupted(record: RunRecord): RunRecord {
  const reason = `the engine (process ${record.engine?.pid}) stopped before the run finished`;
  return {
    ...record,
    state: 'interrupted',
    reason,
    steps: record.steps.map((step) =>
      ['pending', 'queued', 'running'].includes(step.state) ? { ...step, state: 'cancelled', reason } : step,
    ),
  };
}
