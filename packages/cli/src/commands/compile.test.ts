import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { parse, parseAllDocuments } from 'yaml';

import { main } from '../main.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..');
const wine = join(repo, 'examples', 'wine', 'wine.ipynb');

async function cellpipe(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const code = await main(args, { stdout, stderr, cwd, signal: new AbortController().signal });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('cellpipe compile', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'cellpipe-compile-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('prints an Argo Workflow with the overridden parameters and image', async () => {
    const result = await cellpipe(
      ['compile', wine, '--target', 'argo', '-p', 'seed=3', '-p', 'test_size=0.5', '--image', 'example.org/wine:2'],
      folder,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const workflow = parse(result.stdout) as {
      kind: string;
      spec: {
        arguments: { parameters: { name: string; value: string }[] };
        templates: { name: string; container?: { image: string } }[];
      };
    };
    expect(workflow.kind).toBe('Workflow');
    expect(workflow.spec.arguments.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'seed', value: '3' }),
        expect.objectContaining({ name: 'test_size', value: '0.5' }),
      ]),
    );
    expect(workflow.spec.templates.find((template) => template.name === 'train-forest')?.container?.image).toBe(
      'example.org/wine:2',
    );
  });

  it('writes a KFP pipeline to -o and leaves no temporary file', async () => {
    const result = await cellpipe(['compile', wine, '--target', 'kfp', '-o', 'wine.yaml'], folder);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(folder)).toEqual(['wine.yaml']);
    const [spec] = parseAllDocuments(readFileSync(join(folder, 'wine.yaml'), 'utf8')).map(
      (document) => document.toJS() as { schemaVersion: string; root: { dag: { tasks: Record<string, unknown> } } },
    );
    expect(spec?.schemaVersion).toBe('2.1.0');
    expect(Object.keys(spec?.root.dag.tasks ?? {})).toContain('evaluate');
  });

  it('exits 2 with one line on bad input, and leaves an existing output untouched', async () => {
    writeFileSync(join(folder, 'out.yaml'), 'previous\n');
    const cases: [string[], RegExp][] = [
      [['compile', wine, '-o', 'out.yaml'], /--target must be argo or kfp/],
      [['compile', wine, '--target', 'airflow', '-o', 'out.yaml'], /--target must be argo or kfp, got 'airflow'/],
      [
        ['compile', wine, '--target', 'argo', '-p', 'seed=many', '-o', 'out.yaml'],
        /parameter 'seed' must be an integer, got 'many'/,
      ],
      [['compile', wine, '--target', 'argo', '-p', 'depth=3', '-o', 'out.yaml'], /unknown parameter 'depth'/],
      [['compile', 'missing.ipynb', '--target', 'kfp', '-o', 'out.yaml'], /cannot read notebook missing.ipynb: ENOENT/],
      [['compile', wine, '--target', 'kfp', '--namespace', 'ml', '-o', 'out.yaml'], /apply to --target argo only/],
    ];
    for (const [args, message] of cases) {
      const result = await cellpipe(args, folder);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(readdirSync(folder)).toEqual(['out.yaml']);
    expect(readFileSync(join(folder, 'out.yaml'), 'utf8')).toBe('previous\n');
  });

  it('names the notebook cell when the notebook itself is bad', async () => {
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          id: 'first',
          metadata: { tags: ['step:load'] },
          source: 'x = 1',
          outputs: [],
          execution_count: null,
        },
        {
          cell_type: 'code',
          id: 'first',
          metadata: { tags: ['step:use'] },
          source: 'print(x)',
          outputs: [],
          execution_count: null,
        },
      ],
    };
    writeFileSync(join(folder, 'bad.ipynb'), JSON.stringify(notebook));
    const result = await cellpipe(['compile', 'bad.ipynb', '--target', 'argo', '-o', 'out.yaml'], folder);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cell 2 \(id first\)/);
    expect(readdirSync(folder)).toEqual(['bad.ipynb']);
  });

  it('refuses a notebook whose graph has errors, naming the cell', async () => {
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          id: 'one',
          metadata: { tags: ['step:load'] },
          source: 'x = 1',
          outputs: [],
          execution_count: null,
        },
        {
          cell_type: 'code',
          id: 'two',
          metadata: { tags: ['step:use', 'prev:nowhere'] },
          source: 'print(x)',
          outputs: [],
          execution_count: null,
        },
      ],
    };
    writeFileSync(join(folder, 'edges.ipynb'), JSON.stringify(notebook));
    const result = await cellpipe(['compile', 'edges.ipynb', '--target', 'kfp', '-o', 'out.yaml'], folder);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cell 2 \(id two\).*nowhere/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(folder)).toEqual(['edges.ipynb']);
  });

  it('reports an unwritable output as one line and leaves nothing behind', async () => {
    const result = await cellpipe(['compile', wine, '--target', 'argo', '-o', 'no-such-folder/out.yaml'], folder);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot write .*out.yaml: ENOENT/);
    expect(readdirSync(folder)).toEqual([]);
  });
});
