import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { cellLabel } from '@cellpipe/core';
import { verifyNotebook, type NotebookVerification } from '@cellpipe/core/node';
import { notebookArgument, parseCommandArgs } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { UsageError } from '../errors.js';

const usage = `Usage: cellpipe verify NOTEBOOK [options]

Runs the notebook top to bottom once, in one Python process under cellpipe's tracer, and checks the
static pipeline graph against what really happened: which globals each step read, wrote or mutated.
A data edge the graph misses is an error (the pipeline would break or use a stale value); an input
the graph passes but the step never used is a warning (wasted transfer).

Options:
      --json          Print the findings as one JSON document on stdout
      --python PATH   Python executable (default: $CELLPIPE_PYTHON, the active venv, python3)
      --logs          Show the notebook's own output on stderr
  -h, --help          Show this help

Exit code: 0 no missed edge, 1 a missed edge or the notebook itself failed, 2 bad input.
`;

export const verifyCommand: Command = {
  name: 'verify',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('verify', args, {
      json: { type: 'boolean' },
      python: { type: 'string' },
      logs: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const notebookPath = resolve(io.cwd, notebookArgument('verify', positionals));
    try {
      accessSync(notebookPath, constants.R_OK);
    } catch (error) {
      throw new UsageError(
        `cellpipe verify: cannot read ${positionals[0]}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
    const result = await verifyNotebook(notebookPath, {
      python: values.python,
      signal: io.signal,
      onOutput: values.logs ? (_stream, text) => io.stderr.write(text) : undefined,
    });
    if (values.json) io.stdout.write(`${JSON.stringify(Private.toJson(result), null, 2)}\n`);
    else Private.printText(result, positionals[0] as string, io);
    return result.missed.length > 0 || result.executionError ? 1 : 0;
  },
};

namespace Private {
  export function toJson(result: NotebookVerification): object {
    return {
      notebook: result.notebook,
      ok: result.missed.length === 0 && !result.executionError,
      executionError: result.executionError ?? null,
      tracedEdges: result.tracedEdges,
      staticEdges: result.staticEdges,
      missed: result.missed,
      extra: result.extra,
      analysisWarnings: result.warnings,
      edges: result.trace.edges,
    };
  }

  export function printText(result: NotebookVerification, shownPath: string, io: CommandIO): void {
    const out = io.stdout;
    out.write(`${shownPath}: ${result.tracedEdges} traced edges, ${result.staticEdges} static inputs\n`);
    if (result.executionError) out.write(`error: the notebook failed top to bottom: ${result.executionError}\n`);
    for (const finding of result.missed) out.write(`error: missed edge: ${finding.message}\n`);
    for (const finding of result.extra) out.write(`warning: extra edge: ${finding.message}\n`);
    for (const warning of result.warnings) {
      const where = warning.cellIndex !== undefined ? ` (${cellLabel(warning.cellIndex, warning.cellId)})` : '';
      out.write(`note: analysis ${warning.code}${where}: ${warning.message}\n`);
    }
    const verdict =
      result.missed.length === 0 && !result.executionError
        ? 'ok: no missed edge'
        : `FAILED: ${result.missed.length} missed edge(s)`;
    out.write(`${verdict}, ${result.extra.length} extra edge(s)\n`);
  }
}
