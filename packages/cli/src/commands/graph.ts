import { analyzeNotebook, graphToJson, readNotebook, type AnalysisWarning, type PipelineGraph } from '@cellpipe/core';
import { notebookArgument, parseCommandArgs, readNotebookText } from '../args.js';
import type { Command } from '../command.js';

const usage = `Usage: cellpipe graph NOTEBOOK [--json]

Shows the pipeline the notebook's tags and data dependencies define: its steps, the edges between
them with the names that flow along each, the parameters and the analysis warnings.

Options:
  --json      Print the graph as JSON (the document editors and scripts consume)
  -h, --help  Show this help
`;

export const graphCommand: Command = {
  name: 'graph',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('graph', args, {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const path = notebookArgument('graph', positionals);
    const text = readNotebookText(path, io.cwd);
    const graph = analyzeNotebook(readNotebook(text, path));
    io.stdout.write(values.json ? `${JSON.stringify(graphToJson(graph), null, 2)}\n` : renderGraph(graph));
    return 0;
  },
};

/** The graph as text: each step with what it receives and from which step, then parameters and warnings. */
export function renderGraph(graph: PipelineGraph): string {
  const lines = [`pipeline ${graph.name}: ${graph.steps.length} step${graph.steps.length === 1 ? '' : 's'}`, ''];
  for (const step of graph.steps) {
    const label = step.displayName !== step.name ? `${step.name} (${step.displayName})` : step.name;
    lines.push(`${label}  [${step.cells.length} cell${step.cells.length === 1 ? '' : 's'}]`);
    const received = new Map<string, string[]>(step.after.map((upstream) => [upstream, []]));
    for (const input of step.inputs)
      received.set(input.from, [
        ...(received.get(input.from) ?? []),
        input.kind === 'value' ? input.name : `${input.name} (${input.kind})`,
      ]);
    for (const [upstream, names] of received)
      lines.push(`  <- ${upstream}${names.length ? `: ${names.join(', ')}` : ' (order only)'}`);
    if (step.parameters.length) lines.push(`  parameters: ${step.parameters.join(', ')}`);
    if (step.metrics.length) lines.push(`  metrics: ${step.metrics.join(', ')}`);
  }
  const parameters = Object.entries(graph.parameters);
  if (parameters.length) {
    lines.push('', 'parameters:');
    for (const [name, value] of parameters) lines.push(`  ${name} = ${JSON.stringify(value)}`);
  }
  if (graph.warnings.length) {
    lines.push('', 'warnings:');
    for (const warning of graph.warnings) lines.push(`  ${describeWarning(warning)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Analysis messages already name their cell (index and id); errors are the ones that block run and compile. */
function describeWarning(warning: AnalysisWarning): string {
  return `${warning.severity === 'error' ? 'error' : 'warning'} ${warning.code}: ${warning.message}`;
}
