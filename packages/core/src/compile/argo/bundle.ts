import { strToU8, zlibSync } from 'fflate';

import type { ParameterValue, PipelineGraph } from '../../graph/types.js';
import type { Notebook } from '../../notebook/model.js';
import { buildStepSpec } from '../step/build.js';
import type { StepSpec, UnchangedName } from '../step/spec.js';
import { parameterKind, type ParameterKind } from './parameters.js';

/**
 * The bundle is everything a cluster run needs that is not the workflow's shape: the step runtime's
 * Python files, the entry script, and every step's spec. It travels once per workflow (unpacked by a
 * first task into an artifact that every step mounts) so that per-step templates stay a few hundred bytes.
 */
export interface BundleOptions {
  /** The step runtime's Python files by relative path (`runtimeFiles()` from the Node entry point). */
  runtimeFiles: Record<string, string>;
  /** Parameter values baked into the specs; each step still reads the run's values from its arguments. */
  parameters: Record<string, ParameterValue>;
  /** Producer output folder as a consuming container sees it; a relative path is resolved against the bundle folder's parent. */
  inputDir(step: string): string;
}

/** A step spec without the definitions that every later step shares; `cellpipe_step.py` restores them. */
export type BundledStepSpec = Omit<StepSpec, 'definitions' | 'unchanged'> & {
  firstCellIndex: number;
  /** The step's `unchanged` entries as gaps between ascending indexes into `BundlePipeline.unchanged`. */
  unchanged?: number[];
};

export interface BundlePipeline {
  steps: Record<string, BundledStepSpec>;
  definitions: { names: string[]; source: string; cellId: string; cellIndex: number }[];
  parameterKinds: Record<string, ParameterKind>;
  /** Every step's run-time check entries, stored once: neighbouring steps share most of theirs. */
  unchanged: UnchangedName[];
}

export interface Bundle {
  files: Record<string, string>;
  pipeline: BundlePipeline;
}

/**
 * Steps that can report metrics: those with `pipeline-metrics` names, and those whose code uses the
 * cellpipe API (`cellpipe.log_metric`), whose metric names are only known at run time.
 */
export function metricReportingSteps(notebook: Notebook, graph: PipelineGraph): Set<string> {
  const sourceById = new Map(notebook.cells.map((cell) => [cell.id, cell.source]));
  const usesApi = (source: string | undefined): boolean => source !== undefined && /\bcellpipe\b/.test(source);
  return new Set(
    graph.steps
      .filter(
        (step) =>
          step.metrics.length > 0 ||
          step.cells.some((id) => usesApi(sourceById.get(id))) ||
          step.code.some((dependency) => usesApi(dependency.source)),
      )
      .map((step) => step.name),
  );
}

/** Folder (inside the bundle artifact) of the container entry script. */
export const STEP_ENTRY = 'cellpipe_step.py';

export function buildBundle(notebook: Notebook, graph: PipelineGraph, options: BundleOptions): Bundle {
  const indexById = new Map(notebook.cells.map((cell) => [cell.id, cell.index]));
  const cellById = new Map(notebook.cells.map((cell) => [cell.id, cell]));
  const steps: Record<string, BundledStepSpec> = {};
  // Definitions are stored once below; computing them per step would cost O(steps × definitions).
  const withoutDefinitions: PipelineGraph = { ...graph, definitions: [] };
  const unchanged = new Private.UnchangedTable();
  for (const step of graph.steps) {
    // Only the cells this step names: buildStepSpec indexes the notebook it is given, once per call.
    const cells = [...step.cells, ...step.code.map((dependency) => dependency.cellId)]
      .map((id) => cellById.get(id))
      .filter((cell) => cell !== undefined);
    const spec: Partial<StepSpec> = buildStepSpec({ ...notebook, cells }, withoutDefinitions, step.name, {
      parameters: options.parameters,
      inputDir: options.inputDir,
      shipFiles: true,
    });
    delete spec.definitions;
    const { unchanged: entries, ...rest } = spec;
    steps[step.name] = {
      ...(rest as BundledStepSpec),
      ...(entries ? { unchanged: unchanged.encode(entries) } : {}),
      firstCellIndex: indexById.get(step.cells[0] ?? '') ?? -1,
    };
  }
  return {
    files: { ...Private.podRuntime(options.runtimeFiles), [STEP_ENTRY]: STEP_PY },
    pipeline: {
      steps,
      definitions: graph.definitions.map((def) => ({
        names: def.names,
        source: def.source,
        cellId: def.cellId,
        cellIndex: indexById.get(def.cellId) ?? -1,
      })),
      parameterKinds: Object.fromEntries(
        Object.entries(options.parameters).map(([name, value]) => [name, parameterKind(value)]),
      ),
      unchanged: unchanged.entries,
    },
  };
}

/** A step's run-time check entries, decoded from the bundle's shared table. */
export function bundledUnchanged(pipeline: BundlePipeline, step: string): UnchangedName[] {
  let at = 0;
  return (pipeline.steps[step]?.unchanged ?? []).map((gap) => pipeline.unchanged[(at += gap)] as UnchangedName);
}

namespace Private {
  /** The tracer (`verify`) and the warm pool serve the local engine only; a pod never imports them. */
  const LOCAL_ONLY = new Set(['cellpipe/tracer.py', 'cellpipe/warm.py']);

  export function podRuntime(files: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(files).filter(([path]) => !LOCAL_ONLY.has(path)));
  }

  /**
   * Stores each check entry once and a step's list as gaps between ascending indexes: listed per step, the
   * entries grow with steps × names (2.4 MB of JSON for 500 steps); as gaps, mostly runs of 1 that compress away.
   */
  export class UnchangedTable {
    readonly entries: UnchangedName[] = [];
    private readonly index = new Map<string, number>();

    encode(list: UnchangedName[]): number[] {
      const indexes = list.map((entry) => this.indexOf(entry)).sort((a, b) => a - b);
      return indexes.map((value, at) => value - (at === 0 ? 0 : (indexes[at - 1] as number)));
    }

    private indexOf(entry: UnchangedName): number {
      const key = JSON.stringify([entry.name, entry.from, entry.readBy]);
      let at = this.index.get(key);
      if (at === undefined) {
        at = this.entries.push(entry) - 1;
        this.index.set(key, at);
      }
      return at;
    }
  }
}

/**
 * The bundle as base64 of zlib-compressed JSON: a third of the size of the JSON text, and free of the
 * `{{` that Argo and KFP would substitute and of the quotes that YAML and JSON would escape.
 */
export function encodeBundle(bundle: Bundle): string {
  const bytes = zlibSync(strToU8(JSON.stringify(bundle)), { level: 6 });
  let binary = '';
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

/** Splits text into argv-sized pieces (Linux caps one argument at 128 KiB). */
export function chunks(text: string, size = 100_000): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces.length ? pieces : [''];
}

/**
 * `python3 -c UNPACK_PY DEST [--param NAME VALUE]... [--digest-file PATH] (--file PATH | --chunks TEXT...)`:
 * writes the bundle's files into DEST, and pipeline.json with the run's parameter arguments (as given,
 * decoded by each step); `--digest-file` receives the SHA-256 of those arguments (Argo's memo keys use it).
 */
export const UNPACK_PY = `import base64, hashlib, json, os, sys, zlib
args = sys.argv[1:]
dest, arguments, digest_file, i = args[0], {}, None, 1
while args[i] in ('--param', '--digest-file'):
    if args[i] == '--param':
        arguments[args[i + 1]] = args[i + 2]
        i += 3
    else:
        digest_file = args[i + 1]
        i += 2
if args[i] == '--file':
    with open(args[i + 1], encoding='ascii') as source:
        text = source.read()
else:
    text = ''.join(args[i + 1:])
bundle = json.loads(zlib.decompress(base64.b64decode(text)))
for rel, content in bundle['files'].items():
    path = os.path.join(dest, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as target:
        target.write(content)
bundle['pipeline']['arguments'] = arguments
with open(os.path.join(dest, 'pipeline.json'), 'w', encoding='utf-8') as target:
    json.dump(bundle['pipeline'], target)
if digest_file:
    with open(digest_file, 'w', encoding='ascii') as target:
        target.write(hashlib.sha256(json.dumps(arguments, sort_keys=True).encode('utf-8')).hexdigest())
`;

/** `python3 -c LAUNCH_PY BUNDLE_DIR ARGS...`: runs the bundle's entry script when its folder is only known at run time (KFP). */
export const LAUNCH_PY = `import runpy, sys
sys.argv = [sys.argv[1] + '/${STEP_ENTRY}'] + sys.argv[2:]
runpy.run_path(sys.argv[0], run_name='__main__')
`;

/**
 * Prefix of the line the entry script prints on stderr when the step fails: the runtime's error record
 * (type, message, cell, line, mapped traceback) as JSON, so a cluster backend can read it from the pod log.
 */
export const STEP_ERROR_MARKER = 'cellpipe-step-error: ';

/** The container entry script: restores one step's full spec from the bundle, runs the step runtime, exports metrics. */
export const STEP_PY = `"""Runs one cellpipe step in a container: builds its spec from the bundle, runs the step runtime, exports metrics."""
import json
import os
import subprocess
import sys
import tempfile

BUNDLE = os.path.dirname(os.path.abspath(__file__))
ARITY = {'--step': 1, '--out': 1, '--input': 2, '--param': 2, '--metrics-file': 1,
         '--metrics-artifact': 1, '--executor-input': 1, '--timeout': 1}


def parse_args(argv):
    options = {'inputs': {}, 'params': {}}
    i = 0
    while i < len(argv):
        flag = argv[i]
        count = ARITY.get(flag)
        if count is None or i + count >= len(argv):
            raise SystemExit(f'cellpipe: unexpected argument {flag!r}; expected one of {", ".join(ARITY)}')
        values = argv[i + 1:i + 1 + count]
        if flag == '--input':
            options['inputs'][values[0]] = values[1]
        elif flag == '--param':
            options['params'][values[0]] = values[1]
        else:
            options[flag[2:]] = values[0]
        i += 1 + count
    if 'step' not in options:
        raise SystemExit('cellpipe: missing --step')
    return options


def decode_parameter(name, kind, value):
    if kind == 'string' or not isinstance(value, str):
        decoded = value
    else:
        try:
            decoded = json.loads(value)
        except ValueError:
            if kind == 'null':
                return value
            raise SystemExit(f'cellpipe: parameter {name!r} must be a JSON {kind}, got {value!r}')
    if kind == 'integer' and isinstance(decoded, float) and decoded.is_integer():
        return int(decoded)
    return decoded


def build_spec(pipeline, options):
    spec = dict(pipeline['steps'][options['step']])
    first_cell = spec.pop('firstCellIndex')
    definitions = {}
    for definition in pipeline['definitions']:
        if definition['cellIndex'] < first_cell:
            for name in definition['names']:
                definitions[name] = {'source': definition['source'], 'cellId': definition['cellId']}
    spec['definitions'] = definitions
    at, unchanged = 0, []
    for gap in spec.get('unchanged', []):
        at += gap
        unchanged.append(pipeline['unchanged'][at])
    spec['unchanged'] = unchanged
    values = dict(pipeline.get('arguments', {}))
    values.update(options['params'])
    if 'executor-input' in options:
        values.update(json.loads(options['executor-input']).get('inputs', {}).get('parameterValues', {}))
    kinds = pipeline['parameterKinds']
    sources = spec.get('parameterSources', {})
    parameters = {}
    for name, default in spec['parameters'].items():
        parameters[name] = decode_parameter(name, kinds.get(name, 'string'), values[name]) if name in values else default
        # A value given at submission replaces the default, and with it the default's Python source.
        if parameters[name] != default:
            sources.pop(name, None)
    spec['parameters'] = parameters
    # Producer folders: values, the RNG state continued and files read all come from there.
    carried = [action for action in spec['prepare'] if action['action'] == 'load']
    carried += [spec['randomState']] if 'from' in spec.get('randomState', {}) else []
    carried += spec.get('files', {}).get('import', [])
    for entry in carried:
        if entry['from'] in options['inputs']:
            entry['dir'] = options['inputs'][entry['from']]
        elif not os.path.isabs(entry['dir']):
            entry['dir'] = os.path.join(os.path.dirname(BUNDLE), entry['dir'])
    return spec


def write_json(path, value):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as target:
        json.dump(value, target)


def read_manifest(options):
    try:
        with open(os.path.join(options['out'], 'manifest.json'), encoding='utf-8') as source:
            return json.load(source)
    except (OSError, ValueError):
        return {}


def report_error(manifest):
    if isinstance(manifest.get('error'), dict):
        print('${STEP_ERROR_MARKER}' + json.dumps(manifest['error'], ensure_ascii=True), file=sys.stderr, flush=True)


def export_metrics(options, manifest):
    metrics = manifest.get('metrics') or {}
    if 'metrics-file' in options:
        write_json(options['metrics-file'], metrics)
    if 'metrics-artifact' in options:
        write_json(options['metrics-artifact'], metrics)
    if 'metrics-artifact' in options and 'executor-input' in options:
        outputs = json.loads(options['executor-input']).get('outputs', {})
        artifact = outputs.get('artifacts', {}).get('metrics', {}).get('artifacts', [{}])[0]
        scalars = {name: value for name, value in metrics.items()
                   if isinstance(value, (int, float)) and not isinstance(value, bool)}
        if outputs.get('outputFile'):
            write_json(outputs['outputFile'], {'artifacts': {'metrics': {'artifacts': [
                {'name': artifact.get('name', 'metrics'), 'uri': artifact.get('uri', ''), 'metadata': scalars}]}}})


def main(argv):
    options = parse_args(argv)
    with open(os.path.join(BUNDLE, 'pipeline.json'), encoding='utf-8') as source:
        spec = build_spec(json.load(source), options)
    spec_path = os.path.join(tempfile.mkdtemp(prefix='cellpipe-spec-'), 'spec.json')
    write_json(spec_path, spec)
    # A step whose outputs no later step reads still writes its manifest (metrics, errors) somewhere.
    options.setdefault('out', tempfile.mkdtemp(prefix='cellpipe-out-'))
    os.makedirs(options['out'], exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [BUNDLE, os.environ.get('PYTHONPATH')])))
    timeout = float(options['timeout']) if 'timeout' in options else None
    try:
        code = subprocess.call([sys.executable, '-m', 'cellpipe.runtime', '--spec', spec_path, '--out', options['out']],
                               env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"cellpipe: step {options['step']!r} exceeded its timeout of {options['timeout']}s", file=sys.stderr)
        code = 124
    manifest = read_manifest(options)
    if code != 0:
        report_error(manifest)
    export_metrics(options, manifest)
    return code


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
`;
