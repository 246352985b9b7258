import { retryArgoRun } from '@cellpipe/core/node';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { runArgument } from './cancel.js';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, clusterBackend, reportClusterErrors, watchClusterRun } from './cluster.js';

const usage = `Usage: cellpipe retry RUN [options]

Re-runs a finished cluster run: submits its Workflow again (same code, parameters and image). Steps that
succeeded before are served from Argo's memoization cache (shown as cached, no pod runs), so only the
failed steps and the steps after them run. Prints the new run id, or follows it with --watch.

Options:
${CLUSTER_USAGE}
  -w, --watch                 Follow the new run until it ends; Ctrl-C cancels it
      --json                  With --watch: the run's events as NDJSON on stdout
      --logs                  With --watch: print the steps' output live
  -h, --help                  Show this help
`;

export const retryCommand: Command = {
  name: 'retry',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('retry', args, {
      ...CLUSTER_OPTIONS,
      watch: { type: 'boolean', short: 'w' },
      json: { type: 'boolean' },
      logs: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const runId = runArgument('retry', positionals);
    return reportClusterErrors(io, async () => {
      const backend = clusterBackend(values);
      const retried = await retryArgoRun(backend.kube, runId);
      if (!values.watch) {
        io.stdout.write(`${retried}\n`);
        return 0;
      }
      return watchClusterRun(io, backend, retried, undefined, {
        json: values.json,
        logs: values.logs,
        title: 'cellpipe retry',
      });
    });
  },
};
