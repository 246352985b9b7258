/** Streams a command writes to; tests pass their own. */
export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  /** Requests for `serve --stdio`; process.stdin when absent. */
  stdin?: NodeJS.ReadableStream;
  cwd: string;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** One `cellpipe <name>` subcommand; `main.ts` lists its name and summary and loads it when it runs. */
export interface Command {
  name: string;
  /** Full usage text for `cellpipe <name> --help`. */
  usage: string;
  /** Resolves to the process exit code: 0 success, 1 the pipeline failed, 2 bad input. */
  run(args: string[], io: CommandIO): Promise<number>;
}
