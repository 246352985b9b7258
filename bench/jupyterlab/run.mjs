#!/usr/bin/env node
// JupyterLab extension (issue #4): the panel benchmarks in a real JupyterLab (see README.md beside this file),
// written into RESULTS.md. Targets: ≤ 16 ms main-thread work per update after a one-cell edit of a 200-cell
// notebook; ≤ 300 ms to open the panel on a 500-step notebook.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMs, mark, repoRoot, section, writeSection } from '../common/results.mjs';

const script = join(repoRoot, 'scripts', 'e2e-jupyterlab.mjs');
const status = spawnSync(process.execPath, [script, '--bench', ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
}).status;
if (status !== 0) {
  console.error(`jupyterlab benchmark: the benchmark run failed (exit ${status})`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(join(repoRoot, 'bench', 'jupyterlab', 'last-run.json'), 'utf8'));
const update = results['update-after-one-cell-edit-200-cells-ms'];
const open = results['open-500-steps-ms'];
writeSection(
  'jupyterlab',
  section({
    title: 'JupyterLab pipeline panel',
    description:
      'In a real JupyterLab 4.6 in Debian Chromium, from the extension’s own `performance.measure` entries: the panel update after each of 40 one-character edits in a 200-cell notebook (incremental analysis, chips, panel text), and opening the panel on a 500-step notebook (analysis, layout, SVG).',
    rows: [
      [
        `Update after a one-cell edit, median of ${update.n}`,
        formatMs(update.median),
        '≤ 16 ms',
        mark(update.median <= 16),
      ],
      [`Update after a one-cell edit, p95`, formatMs(update.p95), '≤ 16 ms', mark(update.p95 <= 16)],
      [`Update after a one-cell edit, worst`, formatMs(update.max), '—', ''],
      [`Open the panel, 500 steps, median of ${open.n}`, formatMs(open.median), '≤ 300 ms', mark(open.median <= 300)],
      [`Open the panel, 500 steps, worst`, formatMs(open.max), '≤ 300 ms', mark(open.max <= 300)],
    ],
  }),
);
