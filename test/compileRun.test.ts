/**
 * Runs compiled Argo Workflows and KFP pipelines for real, with the containers' own commands, as local
 * Python processes. No cluster runs here, so this file plays the controller: it walks the DAG, places input
 * artifacts (raw data, producers' folders) where the templates ask for them, substitutes the parameter and
 * path placeholders, and collects output artifacts and parameters. Everything the containers run — the
 * bundle unpacker, cellpipe_step.py and the step runtime — is the compiled output, unchanged. The values
 * the steps save are then checked against one top-to-bottom execution of the notebook (`verifyRun`).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

import { parse, parseAllDocuments } from 'yaml';

import {
  analyzeNotebook,
  compileArgo,
  compileKfp,
  readNotebook,
  type PipelineGraph,
} from '../packages/core/src/index.js';
import { runtimeFiles } from '../packages/core/src/compile/step/runtimeFiles.js';
import { buildTracePlan, runTracer, verifyRun } from '../packages/core/src/verify/index.js';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
const python = join(repo, '.venv', 'bin', 'python');
const runtime = runtimeFiles();

interface StepResult {
  name: string;
  root: string;
  outDir: string;
  spec: string;
  metrics: Record<string, unknown>;
}

/** Runs one container command (python3 → the project's venv) with its own TMPDIR, so the step's spec file can be found. */
async function runContainer(command: string[], root: string, cwd: string): Promise<void> {
  const [program, ...args] = command;
  const temporary = join(root, 'tmp');
  mkdirSync(temporary, { recursive: true });
  try {
    await run(program === 'python3' ? python : (program ?? ''), args, {
      cwd,
      env: { ...process.env, TMPDIR: temporary },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`container in ${root} failed: ${failure.stderr ?? failure.message}`);
  }
}

/** A folder cellpipe_step.py made with `tempfile.mkdtemp(prefix=PREFIX)` under the container's TMPDIR. */
function temporaryFolder(root: string, prefix: string): string {
  const temporary = join(root, 'tmp');
  return join(temporary, readdirSync(temporary).find((name) => name.startsWith(prefix)) ?? `${prefix}missing`);
}

function specWritten(root: string): string {
  return join(temporaryFolder(root, 'cellpipe-spec-'), 'spec.json');
}

interface ArgoTemplate {
  name: string;
  inputs?: { artifacts?: { name: string; path: string; raw?: { data: string } }[] };
  outputs?: {
    artifacts?: { name: string; path: string }[];
    parameters?: { name: string; valueFrom: { path: string; default?: string } }[];
  };
  container?: { command: string[]; args?: string[] };
  dag?: {
    tasks: {
      name: string;
      template: string;
      depends?: string;
      arguments?: { artifacts?: { name: string; from: string }[] };
    }[];
  };
}

/** Plays the Argo controller for a compiled Workflow; `arguments` stand for `argo submit -p NAME=VALUE`. */
async function runArgoLocally(
  yamlText: string,
  work: string,
  cwd: string,
  submitted: Record<string, string> = {},
): Promise<StepResult[]> {
  const workflow = parse(yamlText) as {
    spec: {
      entrypoint: string;
      arguments?: { parameters: { name: string; value: string }[] };
      templates: ArgoTemplate[];
    };
  };
  const parameters = Object.fromEntries(
    (workflow.spec.arguments?.parameters ?? []).map((p) => [p.name, submitted[p.name] ?? p.value]),
  );
  const templates = new Map(workflow.spec.templates.map((template) => [template.name, template]));
  const dag = templates.get(workflow.spec.entrypoint)?.dag;
  const artifacts = new Map<string, string>();
  const done = new Set<string>();
  const results: StepResult[] = [];
  for (const task of dag?.tasks ?? []) {
    for (const dependency of task.depends?.split(' && ') ?? []) expect(done).toContain(dependency);
    const template = templates.get(task.template)!;
    const root = join(work, task.name);
    // The container's /cellpipe is this task's own folder.
    const local = (path: string): string => path.replace(/^\/cellpipe(?=\/|$)/, root);
    for (const artifact of template.inputs?.artifacts ?? []) {
      const target = local(artifact.path);
      mkdirSync(dirname(target), { recursive: true });
      if (artifact.raw) {
        writeFileSync(target, artifact.raw.data);
        continue;
      }
      const from = task.arguments?.artifacts?.find((argument) => argument.name === artifact.name)?.from ?? '';
      const [, producer, name] = /^\{\{tasks\.(.+)\.outputs\.artifacts\.(.+)\}\}$/.exec(from) ?? [];
      const source = artifacts.get(`${producer}/${name}`);
      if (!source)
        throw new Error(`task ${task.name}: input artifact ${artifact.name} has no producer output (${from})`);
      cpSync(source, target, { recursive: true });
    }
    const substitute = (arg: string): string =>
      local(
        arg.replace(
          /\{\{workflow\.parameters\.([A-Za-z0-9_-]+)\}\}/g,
          (_match, name: string) => parameters[name] ?? '',
        ),
      );
    expect([...(template.container?.command ?? []), ...(template.container?.args ?? [])].join(' ')).not.toMatch(
      /\{\{(?!workflow\.parameters\.)/,
    );
    await runContainer(
      [...(template.container?.command ?? []), ...(template.container?.args ?? [])].map(substitute),
      root,
      cwd,
    );
    for (const artifact of template.outputs?.artifacts ?? [])
      artifacts.set(`${task.name}/${artifact.name}`, local(artifact.path));
    done.add(task.name);
    if (task.name === 'cellpipe-bundle') continue;
    const metricsParameter = template.outputs?.parameters?.find((parameter) => parameter.name === 'metrics');
    const metricsPath = metricsParameter ? local(metricsParameter.valueFrom.path) : '';
    results.push({
      name: task.name,
      root,
      outDir: join(root, 'out'),
      spec: specWritten(root),
      metrics:
        metricsPath && existsSync(metricsPath)
          ? (JSON.parse(readFileSync(metricsPath, 'utf8')) as Record<string, unknown>)
          : {},
    });
  }
  return results;
}

interface KfpSpec {
  components: Record<string, { executorLabel: string; outputDefinitions?: { artifacts: Record<string, unknown> } }>;
  deploymentSpec: { executors: Record<string, { container: { command: string[]; args: string[] } }> };
  root: {
    dag: {
      tasks: Record<
        string,
        {
          componentRef: { name: string };
          dependentTasks?: string[];
          inputs?: {
            artifacts?: Record<string, { taskOutputArtifact: { producerTask: string; outputArtifactKey: string } }>;
            parameters?: Record<string, { componentInputParameter: string }>;
          };
        }
      >;
    };
    inputDefinitions?: { parameters: Record<string, { defaultValue?: unknown }> };
  };
}

/** Plays the KFP v2 launcher for a compiled PipelineSpec: artifact paths, parameter values and the executor input JSON. */
async function runKfpLocally(
  yamlText: string,
  work: string,
  cwd: string,
  submitted: Record<string, unknown> = {},
): Promise<StepResult[]> {
  const spec = parseAllDocuments(yamlText)[0]!.toJS() as KfpSpec;
  const pipelineInputs = Object.fromEntries(
    Object.entries(spec.root.inputDefinitions?.parameters ?? {}).map(([name, definition]) => [
      name,
      submitted[name] ?? definition.defaultValue,
    ]),
  );
  const results: StepResult[] = [];
  const done = new Set<string>();
  for (const [taskName, task] of Object.entries(spec.root.dag.tasks)) {
    for (const dependency of task.dependentTasks ?? []) expect(done).toContain(dependency);
    const component = spec.components[task.componentRef.name]!;
    const container = spec.deploymentSpec.executors[component.executorLabel]!.container;
    const root = join(work, taskName);
    const outputPath = (name: string): string => join(root, 'outputs', name);
    const inputPath = (name: string): string => {
      const source = task.inputs?.artifacts?.[name]?.taskOutputArtifact;
      return join(work, source?.producerTask ?? 'missing', 'outputs', source?.outputArtifactKey ?? 'missing');
    };
    const parameterValues = Object.fromEntries(
      Object.entries(task.inputs?.parameters ?? {}).map(([name, source]) => [
        name,
        pipelineInputs[source.componentInputParameter],
      ]),
    );
    const executorInput = {
      inputs: { parameterValues },
      outputs: {
        artifacts: Object.fromEntries(
          Object.keys(component.outputDefinitions?.artifacts ?? {}).map((name) => [
            name,
            { artifacts: [{ name, uri: `minio://bucket/${taskName}/${name}` }] },
          ]),
        ),
        outputFile: join(root, 'executor_output.json'),
      },
    };
    const substitute = (arg: string): string =>
      arg === '{{$}}'
        ? JSON.stringify(executorInput)
        : arg
            .replace(/\{\{\$\.inputs\.artifacts\['([^']+)'\]\.path\}\}/g, (_m, name: string) => inputPath(name))
            .replace(/\{\{\$\.outputs\.artifacts\['([^']+)'\]\.path\}\}/g, (_m, name: string) => outputPath(name));
    mkdirSync(join(root, 'outputs'), { recursive: true });
    const command = [...container.command, ...container.args].map(substitute);
    expect(command.join(' ')).not.toContain('{{');
    await runContainer(command, root, cwd);
    done.add(taskName);
    if (taskName === 'cellpipe-bundle') continue;
    const executorOutput = existsSync(executorInput.outputs.outputFile)
      ? (JSON.parse(readFileSync(executorInput.outputs.outputFile, 'utf8')) as {
          artifacts: { metrics: { artifacts: { metadata: Record<string, unknown> }[] } };
        })
      : undefined;
    const outDir = container.args.includes("{{$.outputs.artifacts['out'].path}}")
      ? outputPath('out')
      : temporaryFolder(root, 'cellpipe-out-');
    results.push({
      name: taskName,
      root,
      outDir,
      spec: specWritten(root),
      metrics: executorOutput?.artifacts.metrics.artifacts[0]?.metadata ?? {},
    });
  }
  return results;
}

/** Writes the results as a local run record and lets `verifyRun` compare every saved value with the top-to-bottom trace. */
async function verifyAgainstNotebook(
  notebookPath: string,
  graph: PipelineGraph,
  results: StepResult[],
  work: string,
  parameters: Record<string, unknown> = {},
) {
  const notebook = readNotebook(readFileSync(notebookPath, 'utf8'), notebookPath);
  const trace = await runTracer({ notebookPath, plan: buildTracePlan(notebook, graph, parameters), python });
  const recordDir = join(work, 'record');
  mkdirSync(recordDir, { recursive: true });
  const steps = results.map((result) => ({
    name: result.name,
    state: 'succeeded',
    after: [],
    cells: [],
    cached: false,
    metrics: result.metrics,
    // Relative to the record folder, as a local run writes them.
    spec: relative(recordDir, result.spec),
    outDir: relative(recordDir, result.outDir),
    stdout: '',
    stderr: '',
    attempts: 1,
  }));
  writeFileSync(
    join(recordDir, 'run.json'),
    JSON.stringify({
      version: 1,
      runId: 'compiled',
      notebook: notebookPath,
      backend: 'local',
      state: 'succeeded',
      steps,
    }),
  );
  return verifyRun(notebookPath, recordDir, trace, { python });
}

const notebooks = [
  'examples/word-stats/word_stats.ipynb',
  'examples/wine/wine.ipynb',
  'test/corpus/35_diamond_graph.ipynb',
  'test/corpus/38_class_hierarchy.ipynb',
];

describe.each(['argo', 'kfp'] as const)('a compiled %s pipeline, run step by step with real Python', (target) => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), `cellpipe-${target}-run-`));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it.each(notebooks)(
    '%s gives the values of the notebook run top to bottom',
    async (notebookFile) => {
      const path = join(repo, notebookFile);
      const notebook = readNotebook(readFileSync(path, 'utf8'), notebookFile);
      const graph = analyzeNotebook(notebook);
      const text =
        target === 'argo'
          ? compileArgo(notebook, graph, { runtimeFiles: runtime })
          : compileKfp(notebook, graph, { runtimeFiles: runtime });
      const results =
        target === 'argo'
          ? await runArgoLocally(text, work, dirname(path))
          : await runKfpLocally(text, work, dirname(path));
      expect(results.map((result) => result.name)).toEqual(graph.steps.map((step) => step.name));
      for (const result of results)
        expect(JSON.parse(readFileSync(join(result.outDir, 'manifest.json'), 'utf8'))).toMatchObject({
          status: 'succeeded',
        });
      const verification = await verifyAgainstNotebook(path, graph, results, work);
      expect(verification.differing).toEqual([]);
      expect(verification.notCompared).toEqual([]);
      expect(verification.compared).toBeGreaterThan(0);
      for (const result of results) {
        const manifest = JSON.parse(readFileSync(join(result.outDir, 'manifest.json'), 'utf8')) as {
          metrics: Record<string, unknown>;
        };
        // Argo reports every metric; KFP's Metrics artifact holds the numeric ones.
        const reported = Object.entries(manifest.metrics).filter(
          ([, value]) => target === 'argo' || typeof value === 'number',
        );
        expect(result.metrics).toEqual(Object.fromEntries(reported));
      }
    },
    240_000,
  );

  it('uses the parameter values given at submission', async () => {
    const notebookFile = 'examples/wine/wine.ipynb';
    const path = join(repo, notebookFile);
    const notebook = readNotebook(readFileSync(path, 'utf8'), notebookFile);
    const graph = analyzeNotebook(notebook);
    const submitted = { seed: 11, folds: 3 };
    const results =
      target === 'argo'
        ? await runArgoLocally(compileArgo(notebook, graph, { runtimeFiles: runtime }), work, dirname(path), {
            seed: '11',
            folds: '3',
          })
        : await runKfpLocally(compileKfp(notebook, graph, { runtimeFiles: runtime }), work, dirname(path), submitted);
    const crossValidate = results.find((result) => result.name === 'cross-validate');
    const spec = JSON.parse(readFileSync(crossValidate?.spec ?? '', 'utf8')) as { parameters: Record<string, unknown> };
    expect(spec.parameters).toEqual({ folds: 3, seed: 11 });
    const verification = await verifyAgainstNotebook(path, graph, results, work, submitted);
    expect(verification.differing).toEqual([]);
    expect(verification.compared).toBeGreaterThan(0);
  }, 240_000);
});

describe('a step over its timeout: tag, in KFP (enforced by the step entry script)', () => {
  it('is stopped and fails with a line naming the step and the timeout', async () => {
    const work = mkdtempSync(join(tmpdir(), 'cellpipe-kfp-timeout-'));
    try {
      const cells = [
        {
          cell_type: 'code',
          id: 'a',
          metadata: { tags: ['step:load'] },
          source: 'x = 1',
          outputs: [],
          execution_count: null,
        },
        {
          cell_type: 'code',
          id: 'b',
          metadata: { tags: ['step:slow', 'timeout:2s'] },
          source: 'import time\ntime.sleep(60)\ny = x + 1',
          outputs: [],
          execution_count: null,
        },
      ];
      const notebook = readNotebook(
        JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }),
        'slow.ipynb',
      );
      const graph = analyzeNotebook(notebook);
      expect(graph.steps.find((step) => step.name === 'slow')?.settings.timeoutSeconds).toBe(2);
      const text = compileKfp(notebook, graph, { runtimeFiles: runtime });
      await expect(runKfpLocally(text, work, work)).rejects.toThrow(/step 'slow' exceeded its timeout of 2s/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
