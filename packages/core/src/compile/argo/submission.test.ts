import { ARGO_BUNDLE_KEY, ARGO_BUNDLE_TASK, ARGO_BUNDLE_VOLUME, buildArgoSubmission, compileArgo } from './compile.js';
import { samplePipeline } from './samples.js';

const runtimeFiles = { 'cellpipe/__init__.py': '', 'cellpipe/runtime.py': 'print("runtime")\n' };

interface Template {
  name: string;
  inputs?: { artifacts?: { name: string; raw?: { data: string } }[] };
  container?: {
    image: string;
    command: string[];
    workingDir?: string;
    volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
  };
  memoize?: { key: string };
}

interface Workflow {
  metadata: { name?: string; generateName?: string };
  spec: { volumes?: { name: string; configMap: { name: string } }[]; templates: Template[] };
}

function submit(options: Partial<Parameters<typeof buildArgoSubmission>[2]> = {}) {
  const { notebook, graph } = samplePipeline();
  const { workflow, bundleData } = buildArgoSubmission(notebook, graph, { runtimeFiles, ...options });
  const typed = workflow as unknown as Workflow;
  const template = (name: string): Template => {
    const found = typed.spec.templates.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no template ${name}`);
    return found;
  };
  return { workflow: typed, bundleData, template };
}

describe('buildArgoSubmission', () => {
  it('memoizes no step when the run is asked not to use the cache', () => {
    const names = (built: ReturnType<typeof submit>) =>
      built.workflow.spec.templates.filter((each) => each.memoize).map((each) => each.name);
    expect(names(submit()).length).toBeGreaterThan(0);
    expect(names(submit({ memoize: true }))).toEqual(names(submit()));
    expect(names(submit({ memoize: false }))).toEqual([]);
  });

  it('mounts the bundle from a ConfigMap instead of inlining it, so the Workflow stays small', () => {
    const inline = submit();
    const viaConfigMap = submit({ bundleConfigMap: 'run-1-bundle', workflowName: 'run-1' });
    expect(viaConfigMap.workflow.metadata).toEqual({ name: 'run-1' });
    expect(viaConfigMap.workflow.spec.volumes).toEqual([
      { name: ARGO_BUNDLE_VOLUME, configMap: { name: 'run-1-bundle' } },
    ]);
    const bundleTask = viaConfigMap.template(ARGO_BUNDLE_TASK);
    expect(bundleTask.inputs).toBeUndefined();
    expect(bundleTask.container?.volumeMounts?.[0]?.name).toBe(ARGO_BUNDLE_VOLUME);
    expect(bundleTask.container?.command).toContain(
      `${bundleTask.container?.volumeMounts?.[0]?.mountPath}/${ARGO_BUNDLE_KEY}`,
    );
    expect(viaConfigMap.bundleData).toBe(inline.bundleData);
    expect(inline.template(ARGO_BUNDLE_TASK).inputs?.artifacts?.[0]?.raw?.data).toBe(inline.bundleData);
    expect(JSON.stringify(viaConfigMap.workflow).length).toBeLessThan(
      JSON.stringify(inline.workflow).length - inline.bundleData.length + 1000,
    );
  });

  it('keeps compile output self-contained (inline raw bundle, generated name)', () => {
    const { notebook, graph } = samplePipeline();
    const text = compileArgo(notebook, graph, { runtimeFiles });
    expect(text).toContain('generateName:');
    expect(text).toContain('raw:');
    expect(text).not.toContain(ARGO_BUNDLE_VOLUME);
  });

  it('changes a step memo key when its image changes: a new image must not reuse old outputs', () => {
    const before = submit({ image: 'python:3.11-slim' });
    const after = submit({ image: 'python:3.12-slim' });
    expect(after.template('train').memoize?.key).not.toBe(before.template('train').memoize?.key);
    expect(submit({ image: 'python:3.11-slim' }).template('train').memoize?.key).toBe(
      before.template('train').memoize?.key,
    );
  });

  it('mounts the data files a step reads under its working folder, and keys memoization on their content', () => {
    const file = { path: 'data/wine.csv', key: 'file-0123456789abcdef', sha256: 'a'.repeat(64) };
    const { template } = submit({ bundleConfigMap: 'b', dataFiles: { load: [file] } });
    const load = template('load').container;
    expect(load?.workingDir).toBe('/cellpipe/work');
    expect(load?.volumeMounts).toEqual([
      { name: ARGO_BUNDLE_VOLUME, mountPath: '/cellpipe/work/data/wine.csv', subPath: file.key, readOnly: true },
    ]);
    expect(template('train').container?.volumeMounts).toBeUndefined();
    const changed = submit({ bundleConfigMap: 'b', dataFiles: { load: [{ ...file, sha256: 'b'.repeat(64) }] } });
    expect(changed.template('load').memoize?.key).not.toBe(template('load').memoize?.key);
  });
});
