import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import {
  analyzeNotebook,
  cellLabel,
  compileArgo,
  compileKfp,
  graphErrors,
  parseParameterAssignments,
  readNotebook,
  runtimeFiles,
  type AnalysisWarning,
} from '@cellpipe/core/node';

import { notebookArgument, parseCommandArgs, readNotebookText } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = `Usage: cellpipe compile NOTEBOOK --target argo|kfp [-o FILE] [-p NAME=VALUE]... [--image REF]

Compiles the notebook's pipeline into an Argo Workflow or a Kubeflow Pipelines v2 spec (YAML).
The step runtime and every step's code travel inside the output: nothing is downloaded at run time.

Options:
  --target argo|kfp       Argo Workflows (argoproj.io/v1alpha1 Workflow) or KFP v2 PipelineSpec
  -o, --output FILE       Write to FILE (atomically) instead of standard output
  -p, --param NAME=VALUE  Override a pipeline parameter's default (VALUE is JSON unless the default is a string)
  --image REF             Container image for steps without an image: tag (default: python:3.11-slim)
  --namespace NS          Argo only: the Workflow's namespace
  --service-account SA    Argo only: the service account the step pods run as
  --name NAME             Workflow name prefix (Argo) or pipeline name (KFP)
  -h, --help              Show this help
`;

export const compileCommand: Command = {
  name: 'compile',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('compile', args, {
      target: { type: 'string' },
      output: { type: 'string', short: 'o' },
      param: { type: 'string', short: 'p', multiple: true },
      image: { type: 'string' },
      namespace: { type: 'string' },
      'service-account': { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const path = notebookArgument('compile', positionals);
    const target = values.target;
    if (target !== 'argo' && target !== 'kfp') {
      throw new UsageError(
        `cellpipe compile: --target must be argo or kfp${target === undefined ? '' : `, got '${target}'`} (see 'cellpipe compile --help')`,
      );
    }
    if (target === 'kfp' && (values.namespace !== undefined || values['service-account'] !== undefined)) {
      throw new UsageError('cellpipe compile: --namespace and --service-account apply to --target argo only');
    }
    const text = readNotebookText(path, io.cwd);
    const notebook = readNotebook(text, path);
    const graph = analyzeNotebook(notebook);
    const [firstError] = graphErrors(graph);
    if (firstError) throw new UsageError(`${path}: ${Private.describe(firstError)}`);
    const common = {
      runtimeFiles: runtimeFiles(),
      image: values.image,
      parameters: parseParameterAssignments(graph, values.param ?? []),
      name: values.name,
    };
    const yaml =
      target === 'argo'
        ? compileArgo(notebook, graph, {
            ...common,
            namespace: values.namespace,
            serviceAccount: values['service-account'],
          })
        : compileKfp(notebook, graph, common);
    if (values.output === undefined) io.stdout.write(yaml);
    else Private.writeAtomically(resolve(io.cwd, values.output), yaml);
    return 0;
  },
};

namespace Private {
  export function describe(warning: AnalysisWarning): string {
    const where =
      warning.cellIndex !== undefined
        ? `${cellLabel(warning.cellIndex, warning.cellId)}${warning.line !== undefined ? ` line ${warning.line}` : ''}: `
        : '';
    return `${where}${warning.message}`;
  }

  /** Readers see no file or the complete one: write a sibling temp file, then rename it over the target. */
  export function writeAtomically(path: string, text: string): void {
    const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      writeFileSync(temporary, text, { flag: 'wx' });
      renameSync(temporary, path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw new UsageError(
        `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
}
