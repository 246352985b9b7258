import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { delimiter } from 'node:path';
import type { Readable } from 'node:stream';
import { LineSplitter } from '../../events/ndjson.js';

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
}

/**
 * Runs `python -m cellpipe.runtime --spec SPEC --out OUT` as its own process group (so stopping it
 * stops whatever the cells started), tees stdout/stderr to the log files and to `onLog`, and parses the
 * runtime's events from fd 3. Resolves once the process has exited and the logs are flushed.
 */
export function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: [options.runtimeDir, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    CELLPIPE_EVENTS_FD: '3',
    PYTHONUNBUFFERED: '1',
  };
  const args = ['-m', 'cellpipe.runtime', '--spec', options.specPath, '--out', options.outDir];
  const result: StepProcessResult = {
    exitCode: null,
    exitSignal: null,
    timedOut: false,
    aborted: false,
    lastStderrLine: '',
  };

  return new Promise((resolve) => {
    if (options.signal.aborted) {
      result.aborted = true;
      resolve(result);
      return;
    }
    const child = spawn(options.python, args, {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    const flags = options.appendLogs ? 'a' : 'w';
    const logFiles = [
      createWriteStream(options.stdoutPath, { flags }),
      createWriteStream(options.stderrPath, { flags }),
    ];
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;

    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(
        () => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'),
        options.killGraceMs ?? 3000,
      );
    };
    const onAbort = (): void => {
      result.aborted = true;
      stop();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutSeconds && options.timeoutSeconds > 0)
      timeoutTimer = setTimeout(() => {
        result.timedOut = true;
        stop();
      }, options.timeoutSeconds * 1000);

    tee(child.stdout as Readable, logFiles[0] as WriteStream, (text) => options.onLog('stdout', text));
    tee(child.stderr as Readable, logFiles[1] as WriteStream, (text) => {
      const last = text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .pop();
      if (last) result.lastStderrLine = last;
      options.onLog('stderr', text);
    });
    const eventsPipe = child.stdio[3] as Readable | null;
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

    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(killTimer);
      clearTimeout(timeoutTimer);
      options.signal.removeEventListener('abort', onAbort);
      Promise.all(logFiles.map((file) => new Promise<void>((done) => file.end(done)))).then(() => resolve(result));
    };
    child.on('error', (error) => {
      result.spawnError = `cannot start Python '${options.python}': ${error.message}`;
      finish();
    });
    child.on('close', (code, signal) => {
      if (pid !== undefined) liveGroups.delete(pid);
      if (result.spawnError) return;
      result.exitCode = code;
      result.exitSignal = signal;
      finish();
    });
  });
}

function tee(stream: Readable, file: WriteStream, onText: (text: string) => void): void {
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    file.write(text);
    onText(text);
  });
}

/** Process groups of steps still running; steps are detached, so nothing else stops them if Node exits. */
const liveGroups = new Set<number>();

function trackGroup(pid: number): void {
  // An abrupt exit (second Ctrl-C, crash) must not leave step processes running on their own.
  if (liveGroups.size === 0 && !process.listeners('exit').includes(killLiveGroups)) process.on('exit', killLiveGroups);
  liveGroups.add(pid);
}

function killLiveGroups(): void {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
