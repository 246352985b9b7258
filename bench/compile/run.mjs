#!/usr/bin/env node
// Compile speed: read + analyse + compile (Argo and KFP) generated 50/500/2000-step notebooks in process,
// median of several runs after a warm-up, plus the size of the Argo YAML. Target: 500 steps ≤ 1 s, < 512 KiB.
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchTempDir, loadCore, timed } from '../common/core.mjs';
import { pipelineNotebook } from '../common/notebooks.mjs';
import { formatBytes, formatMs, mark, median, section, writeSection } from '../common/results.mjs';

const SIZES = [
  { steps: 50, runs: 9 },
  { steps: 500, runs: 7 },
  { steps: 2000, runs: 3 },
];
const TARGET_STEPS = 500;
const TARGET_MS = 1000;
const TARGET_YAML_BYTES = 512 * 1024;

/** The compilers return YAML text, or an object carrying it. */
function yamlOf(output) {
  if (typeof output === 'string') return output;
  for (const key of ['yaml', 'text', 'document']) if (typeof output?.[key] === 'string') return output[key];
  throw new Error(`compiler returned ${typeof output} without YAML text`);
}

function measure(core, path, steps, runs, runtime) {
  const samples = { read: [], analyze: [], argo: [], kfp: [], argoCpu: [], kfpCpu: [] };
  let argoBytes = 0;
  let argoLongestLine = 0;
  let kfpBytes = 0;
  let graph;
  for (let run = 0; run <= runs; run++) {
    const json = readFileSync(path, 'utf8');
    const read = timed(() => core.readNotebook(json, path));
    const analyze = timed(() => core.analyzeNotebook(read.value));
    graph = analyze.value;
    const argo = timed(() => yamlOf(core.compileArgo(read.value, graph, { runtimeFiles: runtime })));
    const kfp = timed(() => yamlOf(core.compileKfp(read.value, graph, { runtimeFiles: runtime })));
    argoBytes = Buffer.byteLength(argo.value);
    argoLongestLine = argo.value.split('\n').reduce((longest, line) => Math.max(longest, Buffer.byteLength(line)), 0);
    kfpBytes = Buffer.byteLength(kfp.value);
    if (run === 0) continue; // warm-up: JIT and module caches
    samples.read.push(read.ms);
    samples.analyze.push(analyze.ms);
    samples.argo.push(argo.ms);
    samples.kfp.push(kfp.ms);
    samples.argoCpu.push(read.cpuMs + analyze.cpuMs + argo.cpuMs);
    samples.kfpCpu.push(read.cpuMs + analyze.cpuMs + kfp.cpuMs);
  }
  if (graph.steps.length !== steps)
    throw new Error(`analysis found ${graph.steps.length} steps in a ${steps}-step notebook`);
  const syntax = graph.warnings.filter((warning) => warning.code === 'syntax-error');
  if (syntax.length) throw new Error(`generated notebook has syntax errors: ${syntax[0].message}`);
  const m = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)]));
  return {
    steps,
    runs,
    ...m,
    argoTotal: median(samples.read.map((read, i) => read + samples.analyze[i] + samples.argo[i])),
    kfpTotal: median(samples.read.map((read, i) => read + samples.analyze[i] + samples.kfp[i])),
    argoBytes,
    argoLongestLine,
    kfpBytes,
    edges: graph.steps.reduce((sum, step) => sum + step.inputs.length, 0),
    warnings: graph.warnings.length,
  };
}

async function main() {
  const core = await loadCore(['readNotebook', 'analyzeNotebook', 'compileArgo', 'compileKfp', 'runtimeFiles']);
  const dir = benchTempDir('compile');
  try {
    const runtime = timed(() => core.runtimeFiles());
    const results = [];
    for (const { steps, runs } of SIZES) {
      const path = join(dir, `pipeline-${steps}.ipynb`);
      writeFileSync(path, JSON.stringify(pipelineNotebook({ steps, seed: steps }), null, 1));
      const result = measure(core, path, steps, runs, runtime.value);
      results.push(result);
      console.log(
        `${steps} steps: read ${formatMs(result.read)}, analyse ${formatMs(result.analyze)}, Argo ${formatMs(result.argo)} (${formatBytes(result.argoBytes)}), KFP ${formatMs(result.kfp)} (${formatBytes(result.kfpBytes)}); ${result.edges} inputs, ${result.warnings} warnings`,
      );
    }
    const rows = [];
    for (const result of results) {
      const targeted = result.steps === TARGET_STEPS;
      const target = (text) => (targeted ? text : '—');
      const check = (passed) => (targeted ? mark(passed) : '');
      rows.push(
        [`${result.steps} steps: read + analyse`, formatMs(result.read + result.analyze), '—', ''],
        [
          `${result.steps} steps: read + analyse + compile Argo`,
          formatMs(result.argoTotal),
          target(`≤ ${formatMs(TARGET_MS)}`),
          check(result.argoTotal <= TARGET_MS),
        ],
        [
          `${result.steps} steps: read + analyse + compile KFP`,
          formatMs(result.kfpTotal),
          target(`≤ ${formatMs(TARGET_MS)}`),
          check(result.kfpTotal <= TARGET_MS),
        ],
        ...(targeted
          ? [
              [
                `${result.steps} steps: read + analyse + compile Argo, CPU time`,
                formatMs(result.argoCpu),
                target(`≤ ${formatMs(TARGET_MS)}`),
                check(result.argoCpu <= TARGET_MS),
              ],
              [
                `${result.steps} steps: read + analyse + compile KFP, CPU time`,
                formatMs(result.kfpCpu),
                target(`≤ ${formatMs(TARGET_MS)}`),
                check(result.kfpCpu <= TARGET_MS),
              ],
            ]
          : []),
        [
          `${result.steps} steps: Argo YAML size`,
          formatBytes(result.argoBytes),
          target('< 512 KiB'),
          check(result.argoBytes < TARGET_YAML_BYTES),
        ],
        [`${result.steps} steps: KFP YAML size`, formatBytes(result.kfpBytes), '—', ''],
      );
    }
    const breakdown = results.map(
      (r) =>
        `${r.steps} steps (median of ${r.runs} after a warm-up): read ${formatMs(r.read)}, analyse ${formatMs(r.analyze)}, compile Argo ${formatMs(r.argo)}, compile KFP ${formatMs(r.kfp)}; ${r.edges} step inputs inferred, ${r.warnings} analysis warnings; the Argo YAML's longest line (an embedded document such as the step bundle) is ${formatBytes(r.argoLongestLine)} of its ${formatBytes(r.argoBytes)}.`,
    );
    writeSection(
      'compile',
      section({
        title: 'Compile speed',
        description:
          'In-process `readNotebook` → `analyzeNotebook` → `compileArgo` / `compileKfp` on generated pandas-style pipeline notebooks (bench/common/notebooks.mjs: imports, parameters, helpers used downstream, joins, in-place mutations, continuation cells).',
        rows,
        notes: [
          'Wall-clock rows include time the process waited for one of the 2 shared cores (see the load average); CPU-time rows (user + system, all threads, GC included) do not, and are what an idle machine would show.',
          ...breakdown,
          `\`runtimeFiles()\` (read once, passed to both compilers): ${formatMs(runtime.ms)}.`,
        ],
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main().catch((error) => {
  console.error(`compile benchmark: ${error.message}`);
  process.exitCode = 1;
});
