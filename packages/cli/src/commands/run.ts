import { resolve } from 'node:path';
import type { createLogUpdate } from 'log-update';
// The local engine's own entry: a cached re-run must not load the compilers, the layout or the cluster client.
import {
  encodeEvent,
  LocalBackend,
  parseParameterOverride,
  type RunEvent,
  type RunFinishedEvent,
} from '@cellpipe/core/local';
import { parseCommandArgs, notebookArgument } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { UsageError } from '../errors.js';
import { LogPrefixer, RunView } from '../render/runView.js';

const usage = `Usage: cellpipe run NOTEBOOK [options]

Runs the notebook's tagged steps as a pipeline on this machine: one Python process per step,
in parallel where the data dependencies allow, re-using cached step outputs.

Options:
  -p, --parameter NAME=VALUE  Override a pipeline parameter (repeatable); VALUE is a Python literal
      --no-cache              Run every step, ignoring and not writing the step cache
      --no-warm               Start every step as a fresh Python instead of forking it from a warm pool
                              that imported the notebook's modules once (also: CELLPIPE_WARM=0)
      --jobs N                Run at most N steps at once (default: number of CPUs)
      --python PATH           Python executable (default: $CELLPIPE_PYTHON, the active venv, python3)
      --json                  Print the run's events as NDJSON on stdout, nothing else
      --logs                  Print the steps' output live, each line prefixed with the step name
      --verify                Afterwards, run the notebook top to bottom under the tracer and check that
                              every edge was inferred and every saved output equals the notebook's value
  -h, --help                  Show this help

Each step checks that it left alone every value a later step reads from an earlier one; a change the
analysis did not predict fails the step (UnpredictedChange) instead of giving a different number
(CELLPIPE_CHECK=0 turns the check off).

Exit code: 0 succeeded, 1 a step failed (or --verify found a difference), 2 bad input, 130 cancelled (Ctrl-C).
Run records: <notebook folder>/.cellpipe/runs/<run id>/run.json
`;

export const runCommand: Command = {
  name: 'run',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('run', args, {
      parameter: { type: 'string', short: 'p', multiple: true },
      'no-cache': { type: 'boolean' },
      'no-warm': { type: 'boolean' },
      jobs: { type: 'string' },
      python: { type: 'string' },
      json: { type: 'boolean' },
      logs: { type: 'boolean' },
      verify: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const notebookPath = resolve(io.cwd, notebookArgument('run', positionals));
    const parameters = parseParameters(values.parameter ?? []);
    const python = values.python?.includes('/') ? resolve(io.cwd, values.python) : values.python;
    const handle = new LocalBackend().start({
      notebookPath,
      parameters,
      jobs: values.jobs === undefined ? undefined : positiveInteger('--jobs', values.jobs),
      python,
      cache: !values['no-cache'],
      warm: values['no-warm'] ? false : undefined,
      signal: io.signal,
    });
    const output = await runOutput(io, { json: values.json, logs: values.logs });
    for await (const event of handle.events) output.event(event);
    const finished = await handle.done;
    output.end();
    if (finished.state !== 'succeeded') return finished.state === 'cancelled' ? 130 : 1;
    return values.verify ? verifyFinishedRun(notebookPath, finished, { python, parameters, signal: io.signal }, io) : 0;
  },
};

/** `--verify`: one traced top-to-bottom execution, then every edge and every saved value checked against it. */
async function verifyFinishedRun(
  notebookPath: string,
  finished: RunFinishedEvent,
  options: { python?: string; parameters: Record<string, unknown>; signal: AbortSignal },
  io: CommandIO,
): Promise<number> {
  const { verifyNotebook, verifyRun } = await import('@cellpipe/core/node');
  const verification = await verifyNotebook(notebookPath, options);
  const values = await verifyRun(notebookPath, finished.recordPath as string, verification.trace, options);
  const problems = [
    ...(verification.executionError ? [`the notebook failed top to bottom: ${verification.executionError}`] : []),
    ...verification.missed.map((finding) => `missed edge: ${finding.message}`),
    ...values.differing.map((finding) => `differing value: ${finding.message}`),
  ];
  for (const problem of problems) io.stderr.write(`verify: error: ${problem}\n`);
  for (const finding of values.uncomparable) io.stderr.write(`verify: warning: ${finding.message}\n`);
  io.stderr.write(
    `verify: ${verification.tracedEdges} traced edges, ${values.compared} values compared, ${problems.length} problem(s)\n`,
  );
  return problems.length === 0 ? 0 : 1;
}

/** `-p name=value` pairs into parameter overrides; the value is parsed as a Python literal. */
export function parseParameters(pairs: string[]): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const name = equals > 0 ? pair.slice(0, equals).trim() : '';
    if (!name) throw new UsageError(`cellpipe run: -p expects NAME=VALUE, got '${pair}'`);
    try {
      parameters[name] = parseParameterOverride(pair.slice(equals + 1));
    } catch (error) {
      throw new UsageError(`cellpipe run: parameter '${name}': ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return parameters;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`cellpipe run: ${flag} expects a positive integer, got '${text}'`);
  return value;
}

export interface RunOutput {
  event(event: RunEvent): void;
  end(): void;
}

/** How a run is shown: NDJSON, the live table on a terminal, or one line per change; `cellpipe submit --watch` shares it. */
export async function runOutput(
  io: CommandIO,
  options: { json?: boolean; logs?: boolean; title?: string },
): Promise<RunOutput> {
  if (options.json) return new JsonOutput(io);
  const logs = Boolean(options.logs);
  if (!io.stdout.isTTY) return new LineOutput(io, logs);
  // Loaded only for a terminal: its text-width tables cost a piped or --json run start-up time.
  const logUpdate = await import('log-update');
  return new LiveTableOutput(io, logs, options.title ?? 'cellpipe run', logUpdate.createLogUpdate);
}

/** Common end of a run for the human outputs: metrics table on stdout, failed steps' tracebacks on stderr. */
function writeSummary(io: CommandIO, view: RunView): void {
  const metrics = view.metricsTable();
  if (metrics) io.stdout.write(`\n${metrics}\n`);
  const errors = view.errorReport();
  if (errors) io.stderr.write(`\n${errors}`);
}

/** `--json`: every event as one NDJSON line and nothing else on stdout. */
class JsonOutput implements RunOutput {
  private readonly view = new RunView();

  constructor(private readonly io: CommandIO) {}

  event(event: RunEvent): void {
    this.view.apply(event);
    this.io.stdout.write(encodeEvent(event));
  }

  end(): void {
    const errors = this.view.errorReport();
    if (errors) this.io.stderr.write(errors);
  }
}

/** Pipes and CI logs: one line per state change, step output prefixed with the step name when asked. */
class LineOutput implements RunOutput {
  private readonly view = new RunView();
  private readonly prefixer = new LogPrefixer();

  constructor(
    private readonly io: CommandIO,
    private readonly logs: boolean,
  ) {}

  event(event: RunEvent): void {
    this.view.apply(event);
    if (event.type === 'step-log') {
      if (this.logs)
        for (const line of this.prefixer.push(event.step, event.stream, event.text)) this.io.stdout.write(`${line}\n`);
      return;
    }
    const line = RunView.line(event);
    if (line) this.io.stdout.write(`${line}\n`);
  }

  end(): void {
    for (const line of this.prefixer.flush()) this.io.stdout.write(`${line}\n`);
    writeSummary(this.io, this.view);
  }
}

/** A terminal: the step table redrawn in place (log-update), step output scrolling above it. */
class LiveTableOutput implements RunOutput {
  private readonly view = new RunView();
  private readonly prefixer = new LogPrefixer();
  private readonly draw: ReturnType<typeof createLogUpdate>;
  // Elapsed times of running steps advance without events, so the table is redrawn on a clock too.
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly io: CommandIO,
    private readonly logs: boolean,
    private readonly title: string,
    makeLogUpdate: typeof createLogUpdate,
  ) {
    this.draw = makeLogUpdate(io.stdout as NodeJS.WriteStream, { showCursor: true });
    this.ticker = setInterval(() => this.render(), 250);
    this.ticker.unref();
  }

  event(event: RunEvent): void {
    this.view.apply(event);
    if (event.type === 'step-log') {
      if (this.logs) {
        const lines = this.prefixer.push(event.step, event.stream, event.text);
        if (lines.length > 0) this.draw.persist(lines.join('\n'));
        this.render();
      }
      return;
    }
    if (event.type !== 'step-metric') this.render();
  }

  end(): void {
    clearInterval(this.ticker);
    const rest = this.prefixer.flush();
    if (rest.length > 0) this.draw.persist(rest.join('\n'));
    this.render();
    this.draw.done();
    const finished = this.view.finished;
    if (finished) this.io.stdout.write(`${RunView.line(finished)}\n`);
    writeSummary(this.io, this.view);
  }

  private render(): void {
    this.draw(`${this.title} ${this.view.runId}\n${this.view.table()}`);
  }
}
