import { cancelWorkflow } from '@cellpipe/core/node';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, clusterBackend, reportClusterErrors } from './cluster.js';

const usage = `Usage: cellpipe cancel RUN [options]

Cancels a cluster run: sets the Workflow's spec.shutdown to Terminate, so Argo stops its running pods and
starts no other step. (Ctrl-C cancels a local run.)

Options:
${CLUSTER_USAGE}
  -h, --help                  Show this help
`;

export const cancelCommand: Command = {
  name: 'cancel',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('cancel', args, {
      ...CLUSTER_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const runId = runArgument('cancel', positionals);
    return reportClusterErrors(io, async () => {
      const backend = clusterBackend(values);
      await cancelWorkflow(backend.kube, runId);
      io.stdout.write(`cancelled ${runId}\n`);
      return 0;
    });
  },
};

/** The one run id a command takes. */
export function runArgument(command: string, positionals: string[], extra = 0): string {
  if (positionals.length === 0)
    throw new UsageError(`cellpipe ${command}: missing the run id (see 'cellpipe runs --backend argo')`);
  if (positionals.length > 1 + extra)
    throw new UsageError(`cellpipe ${command}: unexpected arguments: ${positionals.slice(1 + extra).join(' ')}`);
  return positionals[0] as string;
}
