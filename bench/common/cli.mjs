// Runs the `cellpipe` CLI as a user would (its own Node process) and collects its `--json` RunEvents.
import { spawn } from 'node:child_process';
import { cliPath } from './core.mjs';

/**
 * The environment a user's shell would give: this sandbox sets PYTHONDONTWRITEBYTECODE=1, which makes every step
 * process recompile the runtime from source; benchmarks leave it out unless `extra` sets it on purpose.
 */
export function userEnvironment(extra = {}) {
  const env = { ...process.env };
  delete env.PYTHONDONTWRITEBYTECODE;
  return { ...env, ...extra };
}

/** Resolves with the wall time of the whole CLI process, its exit code, the parsed events and stderr. */
export function runCellpipe(args, { cwd, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd,
      env: userEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const events = [];
      for (const line of stdout.split('\n')) {
        if (!line.trim()) continue;
        try {
          events.push(JSON.parse(line));
        } catch {
          // --json writes only events to stdout; anything else is kept for the error message.
          stderr += `${line}\n`;
        }
      }
      resolve({ wallMs, code, events, stderr });
    });
  });
}

/** The line of a failed process's stderr that says why: its last error line, else its last line. */
export function whyFailed(stderr, code) {
  const lines = (stderr ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.findLast((line) => /error/i.test(line)) ?? lines.at(-1) ?? `exit ${code}`;
}

/** Throws one line explaining a failed run: the CLI's stderr or the first step error. */
export function assertSucceeded(result, what) {
  const finished = result.events.find((event) => event.type === 'run-finished');
  if (result.code === 0 && finished?.state === 'succeeded') return finished;
  const stepError = result.events.find((event) => event.type === 'step-error');
  const reason = stepError
    ? `step ${stepError.step}: ${stepError.errorType}: ${stepError.message}`
    : whyFailed(result.stderr, result.code);
  throw new Error(`${what} failed: ${reason}`);
}

/** Per step: the elapsed time the engine reported when the step finished, in ms. */
export function stepDurations(events) {
  const durations = {};
  for (const event of events)
    if (
      event.type === 'step-state' &&
      ['succeeded', 'cached', 'failed'].includes(event.state) &&
      event.elapsedMs !== undefined
    )
      durations[event.step] = event.elapsedMs;
  return durations;
}
