import { resolve } from 'node:path';
import { notebookArgument, parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, clusterBackend, reportClusterErrors, watchClusterRun } from './cluster.js';
import { parseParameters } from './run.js';

const usage = `Usage: cellpipe submit NOTEBOOK [options]

Submits the notebook's pipeline to Argo Workflows on Kubernetes: one pod per step, the step code in a
ConfigMap owned by the Workflow. Prints the run id (the Workflow's name), or with --watch follows the run
with the same step table as 'cellpipe run' and ends with the metrics.

Options:
${CLUSTER_USAGE}
      --image REF             Image for steps without an image: tag (Python of the local minor version + the notebook's packages)
      --service-account NAME  Service account the step pods run as (default: the namespace's default)
  -p, --parameter NAME=VALUE  Override a pipeline parameter (repeatable); VALUE is a Python literal
  -w, --watch                 Follow the run until it ends; Ctrl-C cancels it
      --json                  With --watch: the run's events as NDJSON on stdout
      --logs                  With --watch: print the steps' output live, prefixed with the step name
  -h, --help                  Show this help

Exit code: 0 submitted (with --watch: succeeded), 1 the cluster refused it or a step failed, 2 bad input, 130 cancelled.
See docs/cluster/README.md for what the cluster needs.
`;

export const submitCommand: Command = {
  name: 'submit',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('submit', args, {
      ...CLUSTER_OPTIONS,
      image: { type: 'string' },
      'service-account': { type: 'string' },
      parameter: { type: 'string', short: 'p', multiple: true },
      watch: { type: 'boolean', short: 'w' },
      json: { type: 'boolean' },
      logs: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const notebookPath = resolve(io.cwd, notebookArgument('submit', positionals));
    const parameters = parseParameters(values.parameter ?? []);
    const backend = clusterBackend(values, {
      image: values.image,
      serviceAccount: values['service-account'],
    });
    return reportClusterErrors(io, async () => {
      const run = await backend.submit({ notebookPath, parameters });
      if (!values.watch) {
        io.stdout.write(`${run.runId}\n`);
        io.stderr.write(
          `cellpipe: submitted run ${run.runId} to namespace ${run.namespace}; follow it with 'cellpipe logs ${run.runId} -f'\n`,
        );
        return 0;
      }
      return watchClusterRun(io, backend, run.runId, run.started, {
        json: values.json,
        logs: values.logs,
        title: 'cellpipe submit',
      });
    });
  },
};
