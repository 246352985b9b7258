import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { delimiter } from 'node:path';
import type { Readable } from 'node:stream';
import { LineSplitter } from '../../events/ndjson.js';
import type { WarmPool } from './warm/pool.js';

/** What the step runtime reports on its events fd (`CELLPIPE_EVENTS_FD`), one JSON object per line. */
export type RuntimeEvent =
  | { event: 'metric'; name: string; value: number | string | boolean; index?: number }
  | { event: 'cell'; cellId: string; cellIndex: number }
  | {
      event: 'error';
      type: string;
      message: string;
      cellId?: string;
      cellIndex?: number;
      line?: number;
      traceback: string;
    };

export interface StepProcessOptions {
  python: string;
  /** Folder holding the `cellpipe` runtime package, put on PYTHONPATH. */
  runtimeDir: string;
  specPath: string;
  outDir: string;
  /** The notebook's folder, as in Jupyter. */
  cwd: string;
  stdoutPath: string;
  stderrPath: string;
  /** Append to the log files instead of replacing them (a retry keeps the earlier attempt's output). */
  appendLogs?: boolean;
  signal: AbortSignal;
  timeoutSeconds?: number;
  /** Time between SIGTERM and SIGKILL when the step is stopped. */
  killGraceMs?: number;
  onLog(stream: 'stdout' | 'stderr', text: string): void;
  onRuntimeEvent(event: RuntimeEvent): void;
  /** Fork the step from this pool, which imports `needs` first; a refusal falls back to a cold start. */
  warm?: { pool: WarmPool; needs: string[] };
}

export interface StepProcessResult {
  /** Exit code; null when the process ended by a signal or never started. */
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Why the process could not start (e.g. the Python executable does not exist). */
  spawnError?: string;
  /** The last non-empty stderr line, to explain an unexpected exit in one line. */
  lastStderrLine: string;
  /** True when the process was forked from a warm pool. */
  warm: boolean;
  /** Why the warm pool did not take the step, which then started cold. */
  coldReason?: string;
}

/** A started step process, cold or forked from a warm pool: its group leader, its streams and its end. */
export interface LaunchedStep {
  pid: number | undefined;
  stdout: Readable;
  stderr: Readable;
  events: Readable | null;
  /** Resolves once the process ended and its streams closed; `error` when it never started. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>;
}

/** The environment of a step process (and of the warm pool its processes are forked from). */
export function stepEnvironment(runtimeDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: [runtimeDir, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    CELLPIPE_EVENTS_FD: '3',
    PYTHONUNBUFFERED: '1',
  };
}

/**
 * Runs one step as its own process group (so stopping it stops whatever the cells started): forked from
 * `options.warm` when the pool accepts it, else `python -m cellpipe.runtime --spec SPEC --out OUT`. Tees
 * stdout/stderr to the log files and to `onLog`, and parses the runtime's events from fd 3. Resolves once the
 * process has exited and the logs are flushed.
 */
export async function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  const result: StepProcessResult = {
    exitCode: null,
    exitSignal: null,
    timedOut: false,
    aborted: false,
    lastStderrLine: '',
    warm: false,
  };
  if (options.signal.aborted) {
    result.aborted = true;
    return result;
  }
  let launched: LaunchedStep | undefined;
  if (options.warm) {
    const launching = options.warm.pool.launch({
      specPath: options.specPath,
      outDir: options.outDir,
      cwd: options.cwd,
      needs: options.warm.needs,
    });
    // A cancel must not wait for the pool to finish importing: the fork, if it still comes, is killed at once.
    let onAbort: () => void = () => undefined;
    const cancelled = new Promise<'aborted'>((resolve) => (onAbort = () => resolve('aborted')));
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    const attempt = await Promise.race([launching, cancelled]);
    options.signal.removeEventListener('abort', onAbort);
    if (attempt === 'aborted') {
      void launching.then((late) => 'launched' in late && killLate(late.launched));
      result.aborted = true;
      return result;
    }
    if ('launched' in attempt) {
      launched = attempt.launched;
      result.warm = true;
    } else result.coldReason = attempt.refused;
  }
  if (!launched && options.signal.aborted) {
    result.aborted = true;
    return result;
  }
  return supervise(launched ?? spawnCold(options), options, result);
}

/** Stops a step forked after its run was cancelled, draining its streams so its end is still noticed. */
function killLate(launched: LaunchedStep): void {
  for (const stream of [launched.stdout, launched.stderr, launched.events]) stream?.resume();
  if (launched.pid !== undefined) signalGroup(launched.pid, 'SIGKILL');
}

function spawnCold(options: StepProcessOptions): LaunchedStep {
  const args = ['-m', 'cellpipe.runtime', '--spec', options.specPath, '--out', options.outDir];
  const child = spawn(options.python, args, {
    cwd: options.cwd,
    env: stepEnvironment(options.runtimeDir),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>((resolve) => {
    child.on('error', (error) =>
      resolve({ code: null, signal: null, error: `cannot start Python '${options.python}': ${error.message}` }),
    );
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    pid: child.pid,
    stdout: child.stdout as Readable,
    stderr: child.stderr as Readable,
    events: (child.stdio[3] as Readable | null) ?? null,
    exited,
  };
}

function supervise(
  launched: LaunchedStep,
  options: StepProcessOptions,
  result: StepProcessResult,
): Promise<StepProcessResult> {
  return new Promise((resolve) => {
    const pid = launched.pid;
    if (pid !== undefined) trackGroup(pid);
    let ended = false;
    const flags = options.appendLogs ? 'a' : 'w';
    const logFiles = [
      createWriteStream(options.stdoutPath, { flags }),
      createWriteStream(options.stderrPath, { flags }),
    ];
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;

    const stop = (): void => {
      if (ended || pid === undefined) return;
      signalGroup(pid, 'SIGTERM');
      killTimer ??= setTimeout(() => !ended && signalGroup(pid, 'SIGKILL'), options.killGraceMs ?? 3000);
    };
    const onAbort = (): void => {
      result.aborted = true;
      stop();
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutSeconds && options.timeoutSeconds > 0)
      timeoutTimer = setTimeout(() => {
        result.timedOut = true;
        stop();
      }, options.timeoutSeconds * 1000);

    tee(launched.stdout, logFiles[0] as WriteStream, (text) => options.onLog('stdout', text));
    tee(launched.stderr, logFiles[1] as WriteStream, (text) => {
      const last = text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .pop();
      if (last) result.lastStderrLine = last;
      options.onLog('stderr', text);
    });
    const eventsPipe = launched.events;
    if (eventsPipe) {
      const splitter = new LineSplitter();
      eventsPipe.setEncoding('utf8');
      const deliver = (line: string): void => {
        try {
          options.onRuntimeEvent(JSON.parse(line) as RuntimeEvent);
        } catch {
          // A malformed line from user code writing to fd 3 is not an event; the step's outcome is decided by its exit code.
        }
      };
      eventsPipe.on('data', (chunk: string) => splitter.push(chunk).forEach(deliver));
      eventsPipe.on('end', () => splitter.flush().forEach(deliver));
    }

    void launched.exited.then(({ code, signal, error }) => {
      ended = true;
      if (pid !== undefined) untrackGroup(pid);
      if (error) result.spawnError = error;
      else {
        result.exitCode = code;
        result.exitSignal = signal;
      }
      clearTimeout(killTimer);
      clearTimeout(timeoutTimer);
      options.signal.removeEventListener('abort', onAbort);
      Promise.all(logFiles.map((file) => new Promise<void>((done) => file.end(done)))).then(() => resolve(result));
    });
  });
}

function tee(stream: Readable, file: WriteStream, onText: (text: string) => void): void {
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    // A disk slower than the step's output pauses the pipe (the step waits) instead of buffering it in memory.
    if (!file.write(text)) {
      stream.pause();
      file.once('drain', () => stream.resume());
    }
    onText(text);
  });
}

/** Process groups of steps still running; steps are detached, so nothing else stops them if Node exits. */
const liveGroups = new Set<number>();

export function trackGroup(pid: number): void {
  // An abrupt exit (second Ctrl-C, crash) must not leave step processes running on their own.
  if (liveGroups.size === 0 && !process.listeners('exit').includes(killLiveGroups)) process.on('exit', killLiveGroups);
  liveGroups.add(pid);
}

export function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}

function killLiveGroups(): void {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
