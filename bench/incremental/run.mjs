#!/usr/bin/env node
// Incremental analysis (issue #3): `NotebookAnalyzer` on a generated 200-cell notebook; time from a one-cell edit to
// the updated graph (`updateCell` + `.graph`), median and p95 over 200 edits, and the full analysis for comparison.
// Target: ≤ 5 ms per edit.
import { isDeepStrictEqual } from 'node:util';
import { loadCore, timed } from '../common/core.mjs';
import { pipelineNotebook, seededRandom } from '../common/notebooks.mjs';
import { formatMs, mark, median, quantile, section, writeSection } from '../common/results.mjs';

const CELLS = 200;
const EDITS = 200;
const WARM_UP_EDITS = 20;
const FULL_RUNS = 15;
const TARGET_MS = 5;

/**
 * Edits a user makes while working in a cell: change a number, add a line reading an earlier variable, add a new
 * variable, type half a line (a syntax error until finished), or undo back to the original.
 */
function makeEditor(notebook, random) {
  const codeCells = notebook.cells.filter((cell) => cell.cellType === 'code');
  const variables = [
    ...new Set(codeCells.flatMap((cell) => [...cell.source.matchAll(/^([a-z]+_\d+) = /gm)].map((m) => m[1]))),
  ];
  const current = new Map(codeCells.map((cell) => [cell.id, cell.source]));
  let cell = random.pick(codeCells);
  return {
    current,
    next() {
      if (random.chance(0.3)) cell = random.pick(codeCells);
      const source = current.get(cell.id);
      const kind = random.pick(['number', 'number', 'read', 'write', 'partial', 'undo']);
      let edited;
      if (kind === 'number' && /\d+/.test(source)) edited = source.replace(/\d+/, String(random.int(1, 999)));
      else if (kind === 'read') edited = `${source}\nprint(len(${random.pick(variables)}))`;
      else if (kind === 'write') edited = `${source}\ncheck_${random.int(0, 99)} = ${random.pick(variables)}.shape`;
      else if (kind === 'partial') edited = `${source}\nsummary = ${random.pick(variables)}.groupby(`;
      else edited = cell.source;
      current.set(cell.id, edited);
      return { id: cell.id, source: edited };
    },
  };
}

async function main() {
  const core = await loadCore(['readNotebook', 'analyzeNotebook', 'NotebookAnalyzer']);
  const json = JSON.stringify(pipelineNotebook({ totalCells: CELLS, seed: 200 }));
  const notebook = core.readNotebook(json, 'incremental-200.ipynb');
  if (notebook.cells.length !== CELLS) throw new Error(`generated ${notebook.cells.length} cells, wanted ${CELLS}`);

  const full = [];
  const fresh = [];
  for (let i = 0; i <= FULL_RUNS; i++) {
    const analyze = timed(() => core.analyzeNotebook(notebook));
    const construct = timed(() => new core.NotebookAnalyzer({ notebook }).graph);
    if (i === 0) continue;
    full.push(analyze.ms);
    fresh.push(construct.ms);
  }
  const stepCount = core.analyzeNotebook(notebook).steps.length;

  const analyzer = new core.NotebookAnalyzer({ notebook });
  void analyzer.graph;
  const editor = makeEditor(notebook, seededRandom(3));
  const samples = [];
  const cpuSamples = [];
  for (let i = 0; i < WARM_UP_EDITS + EDITS; i++) {
    const edit = editor.next();
    const { ms, cpuMs } = timed(() => {
      analyzer.updateCell(edit.id, { source: edit.source });
      return analyzer.graph;
    });
    if (i >= WARM_UP_EDITS) {
      samples.push(ms);
      cpuSamples.push(cpuMs);
    }
  }
  // The incremental result must be the graph a full analysis of the edited notebook gives, or the timing means nothing.
  const edited = {
    ...notebook,
    cells: notebook.cells.map((cell) => ({ ...cell, source: editor.current.get(cell.id) ?? cell.source })),
  };
  const agrees = isDeepStrictEqual(analyzer.graph.steps, core.analyzeNotebook(edited).steps);

  const editMedian = median(samples);
  const editP95 = quantile(samples, 0.95);
  console.log(
    `edit → graph: median ${formatMs(editMedian)} (CPU ${formatMs(median(cpuSamples))}), p95 ${formatMs(editP95)}, max ${formatMs(Math.max(...samples))}; full analysis ${formatMs(median(full))}`,
  );
  writeSection(
    'incremental',
    section({
      title: 'Incremental analysis',
      description: `\`NotebookAnalyzer\` on a generated ${CELLS}-cell notebook (${stepCount} steps, bench/common/notebooks.mjs), ${EDITS} one-cell edits after ${WARM_UP_EDITS} warm-up edits: change a number, add a line reading an earlier variable, add a variable, half-typed line (syntax error), undo. Timed: \`updateCell(id, {source})\` then reading \`.graph\`.`,
      rows: [
        [
          'One-cell edit → updated graph, median',
          formatMs(editMedian),
          `≤ ${TARGET_MS} ms`,
          mark(editMedian <= TARGET_MS),
        ],
        ['One-cell edit → updated graph, p95', formatMs(editP95), `≤ ${TARGET_MS} ms`, mark(editP95 <= TARGET_MS)],
        ['One-cell edit → updated graph, worst', formatMs(Math.max(...samples)), '—', ''],
        [
          'One-cell edit → updated graph, CPU time, median',
          formatMs(median(cpuSamples)),
          `≤ ${TARGET_MS} ms`,
          mark(median(cpuSamples) <= TARGET_MS),
        ],
        [
          'One-cell edit → updated graph, CPU time, p95',
          formatMs(quantile(cpuSamples, 0.95)),
          `≤ ${TARGET_MS} ms`,
          mark(quantile(cpuSamples, 0.95) <= TARGET_MS),
        ],
        [`Full analysis (\`analyzeNotebook\`), median of ${FULL_RUNS}`, formatMs(median(full)), '—', ''],
        [`New \`NotebookAnalyzer\` + \`.graph\`, median of ${FULL_RUNS}`, formatMs(median(fresh)), '—', ''],
      ],
      notes: [
        'Wall-clock rows include time the process waited for one of the 2 shared cores (see the load average); CPU-time rows (user + system, all threads, GC included) do not, and are what an idle machine would show.',
        `After the edits, the incremental graph's steps ${agrees ? 'equal' : '**differ from**'} a full analysis of the edited notebook.`,
      ],
    }),
  );
  if (!agrees) throw new Error('incremental graph differs from a full analysis of the same notebook');
}

await main().catch((error) => {
  console.error(`incremental benchmark: ${error.message}`);
  process.exitCode = 1;
});
