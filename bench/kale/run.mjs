#!/usr/bin/env node
// Scores value-edge precision and recall against the traced truth on the whole corpus, for cellpipe and for
// Kale's own detector (kubeflow-kale from PyPI, in its own venv here), and writes the table into bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  renameSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const corpus = join(root, 'test', 'corpus');
const realworld = join(root, 'test', 'realworld');
const python = process.env.CELLPIPE_PYTHON ?? join(root, '.venv', 'bin', 'python');
const kaleVenv = join(here, '.venv');
const kalePython = join(kaleVenv, 'bin', 'python');
const KALE_VERSION = '2.3.0';

function ensureKale() {
  if (existsSync(kalePython) && spawnSync(kalePython, ['-c', 'import kale.processors.nbprocessor']).status === 0)
    return;
  const steps = [
    ['python3', ['-m', 'venv', kaleVenv]],
    [kalePython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `kubeflow-kale==${KALE_VERSION}`]],
  ];
  for (const [command, args] of steps) {
    if (spawnSync(command, args, { stdio: 'inherit' }).status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed`);
  }
}

/** Kale accepts step names matching [_a-z][_a-z0-9]*; cellpipe's are RFC 1123 labels. */
const KALE_RESERVED = new Set(['imports', 'functions', 'skip', 'pipeline_parameters', 'pipeline_metrics']);
const kaleName = (step) => {
  const name = (/^[a-z_]/.test(step) ? step : `_${step}`).replace(/[^a-z0-9_]/g, '_');
  return KALE_RESERVED.has(name) ? `${name}_step` : name;
};

/** The notebook as Kale reads it: `step:` tags with Kale-valid names, optionally `prev:` tags from the truth. */
function kaleNotebook(path, graph, prevEdges) {
  const nb = JSON.parse(readFileSync(path, 'utf8'));
  const stepOfCell = new Map();
  for (const step of graph.steps) for (const id of step.cells) if (!stepOfCell.has(id)) stepOfCell.set(id, step.name);
  const firstCellOfStep = new Set();
  for (const cell of nb.cells) {
    const tags = cell.metadata?.tags ?? [];
    const step = stepOfCell.get(cell.id);
    const kept = tags.filter((tag) => !/^(step|block|prev):/.test(tag));
    if (step && !firstCellOfStep.has(step)) {
      firstCellOfStep.add(step);
      kept.push(`step:${kaleName(step)}`);
      const prevs = prevEdges
        ? [...(prevEdges.get(step) ?? [])]
        : tags.filter((t) => t.startsWith('prev:')).map((t) => t.slice(5).toLowerCase());
      for (const prev of prevs) kept.push(`prev:${kaleName(prev)}`);
    }
    if (kept.length > 0) cell.metadata = { ...cell.metadata, tags: kept };
    // Kale accepts only `print(name)` lines in a metrics cell; a bare name means the same to cellpipe.
    if (kept.some((tag) => tag === 'pipeline-metrics' || tag === 'metrics')) {
      const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
      cell.source = source
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => (/^[A-Za-z_]\w*$/.test(line.trim()) ? `print(${line.trim()})` : line))
        .join('\n');
    }
  }
  return nb;
}

/**
 * A real-world notebook (untagged, test/realworld) tagged one step per code cell, in its own folder with the
 * data files it reads, as test/realworld/corpus.py runs it.
 */
function taggedRealworld(name, work) {
  const folder = join(work, 'realworld', name);
  mkdirSync(folder, { recursive: true });
  const data = join(realworld, 'data', name);
  if (existsSync(data)) cpSync(data, folder, { recursive: true });
  const nb = JSON.parse(readFileSync(join(realworld, 'notebooks', `${name}.ipynb`), 'utf8'));
  let step = 0;
  for (const cell of nb.cells) {
    const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    if (cell.cell_type !== 'code' || !source.trim()) continue;
    step += 1;
    cell.metadata = { ...cell.metadata, tags: [`step:s${String(step).padStart(2, '0')}`] };
  }
  const path = join(folder, `${name}.ipynb`);
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

function score(found, truth) {
  const truthKeys = new Set(truth.map((e) => `${e.to}|${e.name}|${e.from}`));
  const foundKeys = new Set(found.map((e) => `${e.to}|${e.name}|${e.from}`));
  const hit = [...truthKeys].filter((key) => foundKeys.has(key)).length;
  const correct = [...foundKeys].filter((key) => truthKeys.has(key)).length;
  return { truth: truthKeys.size, found: foundKeys.size, hit, correct };
}

const fmt = (n, d) => (d === 0 ? 'n/a' : (n / d).toFixed(3));

async function main() {
  ensureKale();
  const core = await import(join(root, 'packages', 'core', 'lib', 'node.js'));
  const work = mkdtempSync(join(tmpdir(), 'cellpipe-kale-'));
  const failures = [];
  const pending = [];
  const notebooks = [
    ...readdirSync(corpus)
      .filter((f) => f.endsWith('.ipynb'))
      .sort()
      .map((name) => ({ set: 'corpus', name, path: () => join(corpus, name) })),
    ...readdirSync(join(realworld, 'notebooks'))
      .filter((f) => f.endsWith('.ipynb'))
      .sort()
      .map((name) => ({ set: 'realworld', name, path: () => taggedRealworld(name.slice(0, -6), work) })),
  ];
  const sets = ['corpus', 'realworld'];
  const totals = Object.fromEntries(sets.map((set) => [set, { cellpipe: [], kaleAsIs: [], kalePrev: [] }]));
  try {
    for (const notebook of notebooks) {
      const { name } = notebook;
      const path = notebook.path();
      let result;
      try {
        result = await core.verifyNotebook(path, { python });
      } catch (error) {
        failures.push(
          `cellpipe verify ${name}: ${String(error.message ?? error)
            .split('\n')[0]
            .slice(0, 160)}`,
        );
        continue;
      }
      const truth = result.trace.edges
        .filter((e) => e.kind === 'value' && !e.from.startsWith('('))
        .map((e) => ({ to: e.to, name: e.name, from: e.from }));
      // cellpipe: a static value input is right when the trace has that edge (a pass-through producer counts, see compare.ts).
      const missed = new Set(result.missed.map((f) => `${f.step}|${f.name}`));
      const extra = new Set(result.extra.map((f) => `${f.step}|${f.name}`));
      const staticValue = result.graph.steps.flatMap((s) =>
        s.inputs.filter((i) => i.kind === 'value').map((i) => ({ to: s.name, name: i.name })),
      );
      totals[notebook.set].cellpipe.push({
        truth: truth.length,
        hit: truth.filter((e) => !missed.has(`${e.to}|${e.name}`)).length,
        found: staticValue.length,
        correct: staticValue.filter((e) => !extra.has(`${e.to}|${e.name}`)).length,
      });
      const kaleTruth = truth.map((e) => ({ ...e, to: kaleName(e.to), from: kaleName(e.from) }));
      const prevEdges = new Map();
      for (const e of result.trace.edges) {
        if (e.from.startsWith('(')) continue;
        if (!prevEdges.has(e.to)) prevEdges.set(e.to, new Set());
        prevEdges.get(e.to).add(e.from);
      }
      for (const [mode, prev] of [
        ['kaleAsIs', null],
        ['kalePrev', prevEdges],
      ]) {
        const file = join(work, `${mode}-${name}`);
        writeFileSync(file, JSON.stringify(kaleNotebook(path, result.graph, prev)));
        pending.push({ set: notebook.set, mode, name, file, truth: kaleTruth });
      }
      process.stderr.write(`${name}\n`);
    }
    // One Kale process for every notebook: importing Kale (kfp, kubernetes) takes seconds.
    const run = spawnSync(kalePython, [join(here, 'kale_edges.py'), ...pending.map((p) => p.file)], {
      encoding: 'utf8',
      cwd: corpus,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`Kale failed: ${run.stderr.trim().split('\n').pop()}`);
    const kaleResults = JSON.parse(run.stdout);
    for (const { set, mode, name, file, truth } of pending) {
      const found = kaleResults[file];
      if (found.error)
        failures.push(`${mode === 'kaleAsIs' ? 'as is' : 'with prev:'} ${name}: ${found.error.slice(0, 160)}`);
      totals[set][mode].push(score(found.edges ?? [], truth));
    }
  } finally {
    rmSync(join(corpus, 'scratch_corpus_helpers.py'), { force: true });
    rmSync(work, { recursive: true, force: true });
  }
  const sum = (rows, key) => rows.reduce((a, r) => a + r[key], 0);
  const line = (label, rows) =>
    `| ${label} | ${rows.length} | ${sum(rows, 'truth')} | ${sum(rows, 'found')} | ${fmt(sum(rows, 'correct'), sum(rows, 'found'))} | ${fmt(sum(rows, 'hit'), sum(rows, 'truth'))} |`;
  const count = (set) => notebooks.filter((n) => n.set === set).length;
  const both = (mode) => [...totals.corpus[mode], ...totals.realworld[mode]];
  const table = [
    `Value edges on the ${count('corpus')}-notebook test corpus (test/corpus, tagged by hand) and the ${count('realworld')} real-world notebooks written by others (test/realworld, one step per code cell), scored against the edges traced in a real top-to-bottom run (\`cellpipe.tracer\`).`,
    `Kale: kubeflow-kale ${KALE_VERSION} from PyPI, its NotebookProcessor dependency detection (bench/kale/kale_edges.py); step names rewritten to Kale's [_a-z][_a-z0-9]* form (reserved names get \`_step\`), bare metric names to \`print(name)\`.`,
    '',
    '| detector | notebooks | traced edges | reported edges | precision | recall |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[
      ['test corpus', (mode) => totals.corpus[mode]],
      ['real-world', (mode) => totals.realworld[mode]],
      ['both', both],
    ].flatMap(([label, rows]) => [
      line(`cellpipe (no prev: tags needed), ${label}`, rows('cellpipe')),
      line(`Kale, notebook as is, ${label}`, rows('kaleAsIs')),
      line(`Kale, prev: tags added from the trace, ${label}`, rows('kalePrev')),
    ]),
    '',
    ...(failures.length ? ['Not scored:', '', ...failures.map((f) => `- ${f}`), ''] : []),
    `Measured ${new Date().toISOString().slice(0, 10)} with \`node bench/kale/run.mjs\`.`,
  ].join('\n');
  const resultsPath = join(root, 'bench', 'RESULTS.md');
  const current = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '# Benchmark results\n';
  const section = `<!-- kale:start -->\n${table}\n<!-- kale:end -->`;
  const next = /<!-- kale:start -->[\s\S]*<!-- kale:end -->/.test(current)
    ? current.replace(/<!-- kale:start -->[\s\S]*<!-- kale:end -->/, section)
    : `${current.trimEnd()}\n\n## Edge detection vs Kale\n\n${section}\n`;
  writeFileSync(`${resultsPath}.tmp`, next);
  renameSync(`${resultsPath}.tmp`, resultsPath);
  console.log(table);
}

main().catch((error) => {
  console.error(`bench/kale: ${error.message}`);
  process.exit(1);
});
