import { readArgoLogs } from '@cellpipe/core/node';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { LogPrefixer } from '../render/runView.js';
import { runArgument } from './cancel.js';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, clusterBackend, reportClusterErrors } from './cluster.js';

const usage = `Usage: cellpipe logs RUN [STEP] [options]

Prints the output of a cluster run's steps (each step pod's main container), every line prefixed with
its step when no STEP is given. With -f, follows the run until it ends, resuming after dropped connections.

Options:
${CLUSTER_USAGE}
  -f, --follow                Keep printing new output until the run ends
  -h, --help                  Show this help
`;

export const logsCommand: Command = {
  name: 'logs',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('logs', args, {
      ...CLUSTER_OPTIONS,
      follow: { type: 'boolean', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const runId = runArgument('logs', positionals, 1);
    const step = positionals[1];
    return reportClusterErrors(io, async () => {
      const backend = clusterBackend(values);
      if (!values.follow) {
        for (const entry of await readArgoLogs(backend.kube, runId, step)) {
          for (const line of entry.lines) io.stdout.write(step ? `${line}\n` : `${entry.step}: ${line}\n`);
          if (entry.problem) io.stderr.write(`${entry.step}: ${entry.problem}\n`);
        }
        return 0;
      }
      // Following must not cancel the run on Ctrl-C: it only stops reading.
      const handle = await backend.attach(runId);
      io.signal.addEventListener('abort', () => handle.detach(), { once: true });
      const prefixer = new LogPrefixer();
      for await (const event of handle.events) {
        if (event.type !== 'step-log' || (step !== undefined && event.step !== step)) continue;
        if (step !== undefined) io.stdout.write(event.text);
        else for (const line of prefixer.push(event.step, event.stream, event.text)) io.stdout.write(`${line}\n`);
      }
      for (const line of prefixer.flush()) io.stdout.write(`${line}\n`);
      const finished = await handle.done;
      if (io.signal.aborted) return 130;
      return finished.state === 'succeeded' ? 0 : 1;
    });
  },
};
