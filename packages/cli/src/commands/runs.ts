import { dirname, resolve } from 'node:path';
import { listArgoRuns, listRunRecords } from '@cellpipe/core/node';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { formatTable } from '../render/runView.js';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, clusterBackend, reportClusterErrors } from './cluster.js';

const usage = `Usage: cellpipe runs [NOTEBOOK] [options]

Lists runs, newest first: local runs of NOTEBOOK (or of the notebooks in the current folder) from
their run records, or with --backend argo the runs cellpipe submitted to the cluster namespace.

Options:
      --backend local|argo    Where to look (default: local)
${CLUSTER_USAGE}
      --json                  One JSON array on stdout
  -h, --help                  Show this help
`;

export const runsCommand: Command = {
  name: 'runs',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('runs', args, {
      ...CLUSTER_OPTIONS,
      backend: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const backend = values.backend ?? 'local';
    if (backend !== 'local' && backend !== 'argo')
      throw new UsageError(`cellpipe runs: --backend must be 'local' or 'argo', got '${backend}'`);
    if (positionals.length > 1)
      throw new UsageError(`cellpipe runs: expected at most one notebook, got ${positionals.length}`);
    return reportClusterErrors(io, async () => {
      const rows =
        backend === 'argo'
          ? (await listArgoRuns(clusterBackend(values).kube)).map((run) => ({
              runId: run.runId,
              state: run.state,
              startedAt: run.startedAt ?? '',
              notebook: run.notebook,
              note: run.retryOf ? `retry of ${run.retryOf}` : '',
            }))
          : listRunRecords(
              resolve(positionals[0] ? dirname(resolve(io.cwd, positionals[0])) : io.cwd, '.cellpipe'),
            ).map((record) => ({
              runId: record.runId,
              state: record.state,
              startedAt: record.startedAt,
              notebook: record.notebook,
              note: record.reason ?? '',
            }));
      if (values.json) io.stdout.write(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) io.stderr.write('cellpipe: no runs\n');
      else
        io.stdout.write(
          `${formatTable(
            ['RUN', 'STATE', 'STARTED', 'NOTEBOOK', ''],
            rows.map((row) => [row.runId, row.state, row.startedAt, row.notebook, row.note]),
          )}\n`,
        );
      return 0;
    });
  },
};
