#!/usr/bin/env node
// Analysis cost of values built from other values many times over (issue 10): `x1 = (x0, x0)`, … `xN` in one
// step, then a step reading `xN`. Each value aliases the one before twice, so a walk that follows every path is
// exponential in N; the analysis must stay linear. In-process `readNotebook` → `analyzeNotebook`, median of 5
// after a warm-up, for N = 18 (the notebook of the issue, test/corpus/65_blowup_chain) and longer chains.
import { loadCore, timed } from '../common/core.mjs';
import { notebookJson } from '../common/notebooks.mjs';
import { formatMs, mark, median, section, writeSection } from '../common/results.mjs';

const CHAINS = [18, 200, 2000];
const RUNS = 5;
// Linear: the time per link of the longest chain stays within a small factor of the 200-link chain's.
const LINEAR_FACTOR = 3;

function blowupNotebook(links) {
  const chain = Array.from({ length: links }, (_, i) => `x${i + 1} = (x${i}, x${i})`).join('\n');
  return notebookJson([
    { type: 'code', source: 'x0 = [0]', tags: ['step:seed'] },
    { type: 'code', source: chain, tags: ['step:chain'] },
    { type: 'code', source: `print(x${links}[0])`, tags: ['step:report'] },
  ]);
}

const core = await loadCore(['readNotebook', 'analyzeNotebook']);
const measured = CHAINS.map((links) => {
  const text = JSON.stringify(blowupNotebook(links));
  const times = [];
  let graph;
  for (let run = 0; run <= RUNS; run++) {
    const analysed = timed(() => core.analyzeNotebook(core.readNotebook(text, `blowup-${links}.ipynb`)));
    graph = analysed.value;
    if (run > 0) times.push(analysed.ms);
  }
  const report = graph.steps.find((step) => step.name === 'report');
  if (!report?.inputs.some((input) => input.name === `x${links}` && input.from === 'chain'))
    throw new Error(`blow-up chain of ${links}: step 'report' does not read x${links} from 'chain'`);
  return { links, ms: median(times) };
});

const perLink = (entry) => entry.ms / entry.links;
const [, middle, longest] = measured;
const linear = perLink(longest) <= LINEAR_FACTOR * perLink(middle);
writeSection(
  'analysis-cost',
  section({
    title: 'Analysis cost of values built from values',
    description: `In-process \`readNotebook\` → \`analyzeNotebook\` of a chain \`x1 = (x0, x0)\` … \`xN = (xN-1, xN-1)\` in one step and a step reading \`xN\` (N = 18 is test/corpus/65_blowup_chain, which crashed the CLI with a stack overflow before), median of ${RUNS} after a warm-up.`,
    rows: [
      ...measured.map((entry) => [
        `${entry.links} links: read + analyse`,
        `${formatMs(entry.ms)} (${(perLink(entry) * 1000).toFixed(0)} µs per link)`,
        '—',
        '',
      ]),
      [
        `Linear: per link at ${longest.links} links / at ${middle.links} links`,
        (perLink(longest) / perLink(middle)).toFixed(2),
        `≤ ${LINEAR_FACTOR}`,
        mark(linear),
      ],
    ],
  }),
);
