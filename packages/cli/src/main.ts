import { readFileSync } from 'node:fs';
import type { Command, CommandIO } from './command.js';
import { isInputError, oneLine } from './errors.js';

/** A subcommand's name and summary; its module, and the engine it needs, load only when it runs. */
interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

// Importing every command up front cost `cellpipe --help` and each cached re-run most of their time.
export const commands: CommandEntry[] = [
  {
    name: 'run',
    summary: 'Run a notebook pipeline locally, one Python process per step',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'graph',
    summary: 'Show the steps, data edges and warnings of a notebook pipeline',
    load: async () => (await import('./commands/graph.js')).graphCommand,
  },
  {
    name: 'compile',
    summary: 'Compile a notebook pipeline into an Argo Workflow or a KFP v2 pipeline (YAML)',
    load: async () => (await import('./commands/compile.js')).compileCommand,
  },
  {
    name: 'verify',
    summary: 'Check the inferred data edges against a traced top-to-bottom execution',
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  {
    name: 'serve',
    summary: 'Serve the run engine over stdin/stdout (NDJSON) for editor hosts',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  {
    name: 'submit',
    summary: 'Run a notebook pipeline on Kubernetes with Argo Workflows',
    load: async () => (await import('./commands/submit.js')).submitCommand,
  },
  {
    name: 'runs',
    summary: 'List local or cluster runs',
    load: async () => (await import('./commands/runs.js')).runsCommand,
  },
  {
    name: 'logs',
    summary: "Print or follow the steps' output of a cluster run",
    load: async () => (await import('./commands/logs.js')).logsCommand,
  },
  {
    name: 'cancel',
    summary: 'Cancel a run on the cluster',
    load: async () => (await import('./commands/cancel.js')).cancelCommand,
  },
  {
    name: 'retry',
    summary: 'Re-run the failed steps of a cluster run (finished steps are reused)',
    load: async () => (await import('./commands/retry.js')).retryCommand,
  },
];

/** `cellpipe ARGS…`: dispatches to a subcommand and resolves to the process exit code. */
export async function main(argv: string[], io: Partial<CommandIO> = {}): Promise<number> {
  const controller = new AbortController();
  const fullIO: CommandIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    cwd: io.cwd ?? process.cwd(),
    signal: io.signal ?? controller.signal,
  };
  // First Ctrl-C cancels the run cleanly (steps stopped, run.json consistent); a second one exits at once.
  const onInterrupt = (): void => {
    if (controller.signal.aborted) process.exit(130);
    fullIO.stderr.write('\ncellpipe: cancelling (Ctrl-C again to exit now)\n');
    controller.abort();
  };
  // A reader that goes away (`cellpipe run --json | head`) cancels the run instead of crashing it mid-write;
  // the listener stays for writes still queued when main returns.
  const onOutputError = (): void => controller.abort();
  const interceptsSignals = io.signal === undefined;
  if (interceptsSignals) {
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    fullIO.stdout.on('error', onOutputError);
  }
  try {
    return await dispatch(argv, fullIO);
  } catch (error) {
    if (isInputError(error)) {
      fullIO.stderr.write(`cellpipe: ${oneLine(error)}\n`);
      return 2;
    }
    // Work stopped by Ctrl-C or SIGTERM (a tracer, a digest process) rejects with an AbortError: a cancel, not a bug.
    if (fullIO.signal.aborted) {
      fullIO.stderr.write('cellpipe: cancelled\n');
      return 130;
    }
    fullIO.stderr.write(`cellpipe: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    if (interceptsSignals) {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    }
  }
}

async function dispatch(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`cellpipe: unknown command '${name}' (commands: ${commands.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  return (await command.load()).run(rest, io);
}

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: cellpipe COMMAND [options]

Turns a notebook with tagged cells (step:NAME) into a pipeline: run it locally, draw its graph,
compile it for Argo Workflows or Kubeflow Pipelines.

Commands:
${lines.join('\n')}

Run 'cellpipe COMMAND --help' for a command's options. 'cellpipe --version' prints the version.
`;
}

function version(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return packageJson.version;
}
