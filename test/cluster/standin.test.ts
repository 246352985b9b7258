/**
 * The test cluster's own loop, without cellpipe: a hand-written Workflow goes through Argo's real controller,
 * and the executor stand-in runs each pod's command for real — parameters and an artifact passed between
 * steps through the S3 store, a ConfigMap volume, the step's real log and exit code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { extractArtifact, kubectl, podNodes, podsOf, repo, s3Object, workflow, type Workflow } from './harness.js';

const python = (code: string): Record<string, unknown> => ({
  image: 'python:3.11-slim',
  command: ['python3', '-c', code],
});

const standIn = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { generateName: 'standin-' },
  spec: {
    entrypoint: 'main',
    volumes: [{ name: 'files', configMap: { name: 'standin-files' } }],
    templates: [
      {
        name: 'main',
        dag: {
          tasks: [
            { name: 'produce', template: 'produce' },
            {
              name: 'consume',
              template: 'consume',
              depends: 'produce',
              arguments: {
                parameters: [{ name: 'factor', value: '{{tasks.produce.outputs.parameters.factor}}' }],
                artifacts: [{ name: 'data', from: '{{tasks.produce.outputs.artifacts.out}}' }],
              },
            },
            { name: 'fail', template: 'fail', depends: 'produce' },
          ],
        },
      },
      {
        name: 'produce',
        outputs: {
          parameters: [{ name: 'factor', valueFrom: { path: '/cellpipe/factor' } }],
          artifacts: [{ name: 'out', path: '/cellpipe/out' }],
        },
        container: python(
          [
            'import os, sys',
            'print("hello from produce, python", sys.executable)',
            'print("a warning", file=sys.stderr)',
            'os.makedirs("/cellpipe/out/nested")',
            'open("/cellpipe/out/nested/data.txt", "w").write("42")',
            'open("/cellpipe/factor", "w").write("7\\n")',
          ].join('\n'),
        ),
      },
      {
        name: 'consume',
        inputs: {
          parameters: [{ name: 'factor' }],
          artifacts: [{ name: 'data', path: '/cellpipe/in/produce' }],
        },
        outputs: { parameters: [{ name: 'result', valueFrom: { path: '/cellpipe/result' } }] },
        container: {
          ...python(
            [
              'import os, sys',
              'value = int(open("/cellpipe/in/produce/nested/data.txt").read()) * int(sys.argv[1])',
              'greeting = open("greeting.txt").read()',
              'open("/cellpipe/result", "w").write(f"{greeting} {value} {os.getcwd()}")',
            ].join('\n'),
          ),
          args: ['{{inputs.parameters.factor}}'],
          workingDir: '/cellpipe/work',
          volumeMounts: [{ name: 'files', mountPath: '/cellpipe/work/greeting.txt', subPath: 'greeting' }],
        },
      },
      { name: 'fail', container: python('import sys\nprint("about to fail")\nsys.exit(3)') },
    ],
  },
};

async function finished(name: string): Promise<Workflow> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const wf = await workflow(name);
    if (['Succeeded', 'Failed', 'Error'].includes(wf.status?.phase ?? '')) return wf;
    if (Date.now() > deadline) throw new Error(`workflow ${name} still ${wf.status?.phase} after 180 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the executor stand-in under Argo’s real controller', () => {
  let work: string;
  let wf: Workflow;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cellpipe-standin-'));
    await kubectl('delete', 'configmap', 'standin-files', '--ignore-not-found');
    await kubectl('create', 'configmap', 'standin-files', '--from-literal=greeting=hello');
    writeFileSync(join(work, 'wf.json'), JSON.stringify(standIn));
    const name = (await kubectl('create', '-f', join(work, 'wf.json'), '-o', 'name')).trim().split('/')[1] ?? '';
    wf = await finished(name);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('passes output parameters and artifacts between steps through the S3 store, under Argo’s keys', async () => {
    const nodes = podNodes(wf);
    expect(nodes.get('produce')).toMatchObject({ phase: 'Succeeded' });
    // Argo's wait trims one trailing newline of a parameter file.
    expect(nodes.get('produce')?.outputs?.parameters).toEqual([
      expect.objectContaining({ name: 'factor', value: '7' }),
    ]);
    const key = nodes.get('produce')?.outputs?.artifacts?.find((artifact) => artifact.name === 'out')?.s3?.key ?? '';
    expect(key).toMatch(new RegExp(`^${wf.metadata.name}/${wf.metadata.name}-produce-\\d+/out\\.tgz$`));
    await extractArtifact(await s3Object(key), join(work, 'out'));
    expect(readFileSync(join(work, 'out', 'nested', 'data.txt'), 'utf8')).toBe('42');
    expect(nodes.get('consume')).toMatchObject({ phase: 'Succeeded' });
    expect(nodes.get('consume')?.outputs?.parameters?.[0]?.value).toBe('hello 294 /cellpipe/work');
  });

  it('ends a step with its real exit code, and the Workflow Failed', () => {
    expect(wf.status?.phase).toBe('Failed');
    expect(podNodes(wf).get('fail')).toMatchObject({ phase: 'Failed', outputs: { exitCode: '3' } });
  });

  it('serves the step’s real stdout and stderr as the main container’s log', async () => {
    const pod = (await podsOf(wf.metadata.name)).find((name) => name.includes('-produce-')) ?? '';
    const log = await kubectl('logs', pod, '-c', 'main');
    expect(log).toContain(`hello from produce, python ${join(repo, '.venv', 'bin', 'python3')}`);
    expect(log).toContain('a warning');
  });
});
