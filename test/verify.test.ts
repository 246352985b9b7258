import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeNotebook, buildNotebook, notebookToJson } from '../packages/core/src/index.js';
import { buildTracePlan, compareEdges, verifyNotebook, type Trace } from '../packages/core/src/node.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const python = join(repo, '.venv', 'bin', 'python');
const corpus = join(repo, 'test', 'corpus');

function traceWith(edges: Trace['edges'], steps: string[]): Trace {
  return {
    version: 1,
    notebook: 'test.ipynb',
    python: '3',
    status: 'succeeded',
    error: null,
    steps: steps.map((name) => ({ name, cells: [], reads: {}, writes: [], mutates: [], digests: {} })),
    edges,
    metrics: {},
  };
}

describe('compareEdges', () => {
  const notebook = buildNotebook([
    { source: 'rows = [1, 2]\nunused = 3', tags: ['step:load'] },
    { source: 'rows.append(3)', tags: ['step:grow'] },
    { source: 'print(rows, unused)', tags: ['step:show'] },
  ]);
  const graph = analyzeNotebook(notebook);

  it('reports a traced edge the graph lacks as missed, naming the step, name and cell', () => {
    const trace = traceWith(
      [{ name: 'ghost', from: 'load', to: 'show', kind: 'value', cells: ['cell-2'] }],
      ['load', 'grow', 'show'],
    );
    const { missed } = compareEdges(notebook, graph, trace);
    expect(missed).toHaveLength(1);
    expect(missed[0]?.message).toContain(
      "step 'show' reads value 'ghost' (cell 3 (cell-2)) last written by step 'load'",
    );
    expect(missed[0]?.cells).toEqual([{ id: 'cell-2', index: 2 }]);
  });

  it('reports a graph input the execution never read as extra', () => {
    const trace = traceWith(
      [
        { name: 'rows', from: 'load', to: 'grow', kind: 'value', cells: ['cell-1'] },
        { name: 'rows', from: 'grow', to: 'show', kind: 'value', cells: ['cell-2'] },
      ],
      ['load', 'grow', 'show'],
    );
    const { missed, extra } = compareEdges(notebook, graph, trace);
    expect(missed).toEqual([]);
    expect(extra.map((finding) => `${finding.step}:${finding.name}`)).toEqual(['show:unused']);
  });

  it('flags a wrong producer: the stale value the pipeline would use', () => {
    const trace = traceWith(
      [{ name: 'rows', from: 'grow', to: 'show', kind: 'value', cells: ['cell-2'] }],
      ['load', 'grow', 'show'],
    );
    const stale = {
      ...graph,
      steps: graph.steps.map((step) =>
        step.name === 'show' ? { ...step, inputs: step.inputs.map((i) => ({ ...i, from: 'load' })) } : step,
      ),
    };
    const { missed } = compareEdges(notebook, stale, trace);
    expect(missed.map((finding) => finding.message)).toEqual([
      "step 'show' reads value 'rows' (cell 3 (cell-2)) last written by step 'grow'; the static graph passes it from 'load'",
    ]);
  });

  it('plans only the cells the pipeline runs, each under its step', () => {
    const withSkip = buildNotebook([
      { source: 'a = 1', tags: ['pipeline-parameters'] },
      { source: 'b = a + 1', tags: ['step:one'] },
      { source: 'print(b)', tags: ['skip'] },
      { source: 'c = b * 2', tags: ['step:two'] },
    ]);
    const plan = buildTracePlan(withSkip, analyzeNotebook(withSkip));
    expect(plan.cells.map((cell) => [cell.id, cell.step])).toEqual([
      ['cell-1', 'one'],
      ['cell-3', 'two'],
    ]);
    expect(plan.parameters).toEqual({ a: 1 });
  });
});

describe('verifyNotebook (real tracer)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cellpipe-verify-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('traces mutation through an alias and finds the same edges as the graph', async () => {
    const path = join(dir, 'alias.ipynb');
    const notebook = buildNotebook([
      { source: "train = {'x': 1}\ntest = {'x': 2}", tags: ['step:load'] },
      { source: "data = [train, test]\nfor d in data:\n    d['y'] = d['x'] * 10", tags: ['step:features'] },
      { source: "total = train['y'] + test['y']", tags: ['step:use'] },
    ]);
    writeFileSync(path, notebookToJson(notebook));
    const result = await verifyNotebook(path, { python });
    expect(result.executionError).toBeUndefined();
    expect(result.trace.edges.map((e) => `${e.from}->${e.to}:${e.name}`).sort()).toEqual([
      'features->use:test',
      'features->use:train',
      'load->features:test',
      'load->features:train',
    ]);
    expect(result.missed).toEqual([]);
  });

  it('names the failing cell when the notebook itself fails top to bottom', async () => {
    const path = join(dir, 'broken.ipynb');
    writeFileSync(
      path,
      notebookToJson(
        buildNotebook([
          { source: 'x = 1', tags: ['step:a'] },
          { source: 'y = missing + 1', tags: ['step:b'] },
        ]),
      ),
    );
    const result = await verifyNotebook(path, { python });
    expect(result.executionError).toBe("cell 2 (cell-1) of step 'b' raised NameError: name 'missing' is not defined");
  });
});

describe('the corpus', () => {
  const notebooks = readdirSync(corpus)
    .filter((name) => name.endsWith('.ipynb'))
    .sort();

  it('has at least 40 tagged notebooks, each the output of its committed source', () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(40);
    const check = spawnSync(python, [join(corpus, 'build.py'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it.each(notebooks)(
    '%s: runs top to bottom and the graph misses no traced edge',
    async (name) => {
      const result = await verifyNotebook(join(corpus, name), { python });
      expect(result.executionError).toBeUndefined();
      expect(result.missed.map((finding) => finding.message)).toEqual([]);
    },
    120_000,
  );
});
