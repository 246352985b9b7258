import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeDir } from '../../compile/step/runtimeFiles.js';
import type { StepManifest, StepSpec } from '../../compile/step/spec.js';
import { runStepProcess, type RuntimeEvent, type StepProcessOptions } from './stepProcess.js';

// The real step runtime in the repository's venv (created by `node scripts/setup.mjs`).
const python = resolve(fileURLToPath(import.meta.url), '../../../../../../.venv/bin/python');

function spec(step: string, sources: string[], outputs: string[] = []): StepSpec {
  return {
    version: 1,
    pipeline: 'test',
    step,
    prepare: [],
    cells: sources.map((source, index) => ({ id: `c${index}`, index, source })),
    outputs,
    metrics: [],
    parameters: {},
    definitions: {},
  };
}

describe('runStepProcess (real Python step runtime)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cellpipe-step-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function options(stepSpec: StepSpec, extra: Partial<StepProcessOptions> = {}) {
    const dir = join(root, stepSpec.step);
    mkdirSync(join(dir, 'out'), { recursive: true });
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(stepSpec));
    const logs: string[] = [];
    const events: RuntimeEvent[] = [];
    const opts: StepProcessOptions = {
      python,
      runtimeDir: runtimeDir(),
      specPath: join(dir, 'spec.json'),
      outDir: join(dir, 'out'),
      cwd: root,
      stdoutPath: join(dir, 'stdout.log'),
      stderrPath: join(dir, 'stderr.log'),
      signal: new AbortController().signal,
      onLog: (stream, text) => logs.push(`${stream}:${text}`),
      onRuntimeEvent: (event) => events.push(event),
      ...extra,
    };
    return { opts, dir, logs, events };
  }

  it('runs the cells in the notebook folder, tees output to logs and events, and writes the manifest', async () => {
    const { opts, dir, logs, events } = options(
      spec(
        'ok',
        ['import os, cellpipe\nprint("cwd", os.getcwd())', 'cellpipe.log_metric("acc", 0.75)\ny = 41 + 1'],
        ['y'],
      ),
    );
    const result = await runStepProcess(opts);
    expect(result).toMatchObject({ exitCode: 0, aborted: false, timedOut: false });
    expect(readFileSync(join(dir, 'stdout.log'), 'utf8')).toContain(`cwd ${root}`);
    // Output arrives in chunks as Python writes it, so compare the stream's text, not single log events.
    const stdoutText = logs.filter((log) => log.startsWith('stdout:')).map((log) => log.slice('stdout:'.length));
    expect(stdoutText.join('')).toContain(`cwd ${root}`);
    expect(events).toContainEqual({ event: 'metric', name: 'acc', value: 0.75 });
    expect(
      events.filter((event) => event.event === 'cell').map((event) => (event as { cellId: string }).cellId),
    ).toEqual(['c0', 'c1']);
    const manifest = JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')) as StepManifest;
    expect(manifest.status).toBe('succeeded');
    expect(manifest.outputs.y?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports a failing cell through the error event and exit code 1', async () => {
    const { opts, events } = options(spec('bad', ['a = 1', 'b = a / 0']));
    const result = await runStepProcess(opts);
    expect(result.exitCode).toBe(1);
    const error = events.find((event) => event.event === 'error');
    expect(error).toMatchObject({ type: 'ZeroDivisionError', cellId: 'c1', cellIndex: 1, line: 1 });
  });

  it('stops the whole process group on abort', async () => {
    const controller = new AbortController();
    const pidFile = join(root, 'child.pid');
    const { opts, events } = options(
      spec('slow', [
        `import subprocess, time\nchild = subprocess.Popen(["sleep", "60"])\nopen(${JSON.stringify(pidFile)}, "w").write(str(child.pid))\nprint("started", flush=True)\ntime.sleep(60)`,
      ]),
      { signal: controller.signal, killGraceMs: 500 },
    );
    opts.onLog = (_stream, text) => {
      if (text.includes('started')) controller.abort();
    };
    const result = await runStepProcess(opts);
    expect(result.aborted).toBe(true);
    expect(result.exitCode === 0).toBe(false);
    expect(events.some((event) => event.event === 'error')).toBe(false);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    // Reaping is asynchronous: poll (bounded) until the grandchild is gone or a zombie.
    let gone = false;
    for (let attempt = 0; attempt < 200 && !gone; attempt++) {
      gone = !existsSync(`/proc/${childPid}`) || readFileSync(`/proc/${childPid}/stat`, 'utf8').includes(') Z ');
      if (!gone) await new Promise((r) => setTimeout(r, 50));
    }
    expect(gone).toBe(true);
  });

  it('explains a Python that cannot start', async () => {
    const { opts } = options(spec('nopython', ['x = 1']), { python: join(root, 'no-such-python') });
    const result = await runStepProcess(opts);
    expect(result.exitCode).toBeNull();
    expect(result.spawnError).toMatch(/^cannot start Python '.*no-such-python': spawn .* ENOENT$/);
  });

  it('exits 2 with the reason on stderr for an invalid spec', async () => {
    const bad = { ...spec('invalid', ['x = 1']), version: 99 } as unknown as StepSpec;
    const { opts } = options(bad);
    const result = await runStepProcess(opts);
    expect(result.exitCode).toBe(2);
    expect(result.lastStderrLine).toMatch(/^cellpipe: /);
  });
});
