import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureRunRoot,
  markInterruptedRuns,
  RunRecordWriter,
  thisEngine,
  type EngineProcess,
  type RunRecord,
} from './record.js';

describe('ensureRunRoot', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cellpipe-record-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the run folder with a .gitignore that ignores everything in it', () => {
    const runRoot = join(dir, 'nested', '.cellpipe');
    ensureRunRoot(runRoot);
    const lines = readFileSync(join(runRoot, '.gitignore'), 'utf8').split('\n');
    expect(lines).toContain('*');
  });

  it('leaves a .gitignore the user edited alone', () => {
    const runRoot = join(dir, '.cellpipe');
    ensureRunRoot(runRoot);
    writeFileSync(join(runRoot, '.gitignore'), 'runs/\n');
    ensureRunRoot(runRoot);
    expect(readFileSync(join(runRoot, '.gitignore'), 'utf8')).toBe('runs/\n');
  });
});

describe('run markers', () => {
  let runRoot: string;
  beforeEach(() => (runRoot = mkdtempSync(join(tmpdir(), 'cellpipe-record-'))));
  afterEach(() => rmSync(runRoot, { recursive: true, force: true }));

  const record = (runId: string, engine: EngineProcess): RunRecord => ({
    version: 1,
    runId,
    notebook: '/nb.ipynb',
    backend: 'local',
    state: 'running',
    startedAt: new Date().toISOString(),
    engine,
    parameters: {},
    python: 'python3',
    jobs: 1,
    cache: true,
    steps: [
      {
        name: 'a',
        state: 'running',
        after: [],
        cells: [],
        cached: false,
        metrics: {},
        spec: '',
        outDir: '',
        stdout: '',
        stderr: '',
        attempts: 1,
      },
    ],
  });
  const writer = (runId: string, engine: EngineProcess): RunRecordWriter => {
    const runDir = join(runRoot, 'runs', runId);
    mkdirSync(runDir, { recursive: true });
    return new RunRecordWriter(runDir, record(runId, engine));
  };
  const onDisk = (runId: string): RunRecord =>
    JSON.parse(readFileSync(join(runRoot, 'runs', runId, 'run.json'), 'utf8')) as RunRecord;
  const active = (): string[] => (existsSync(join(runRoot, 'active')) ? readdirSync(join(runRoot, 'active')) : []);

  it('a running record is marked until it reaches a final state', () => {
    const run = writer('live', thisEngine());
    expect(active()).toEqual(['live']);
    run.update((r) => (r.state = 'succeeded'));
    run.flush();
    expect(active()).toEqual([]);
  });

  it('a new run rewrites only marked runs whose engine is gone, and leaves live ones alone', () => {
    writer('live', thisEngine());
    // No process has this pid (above the kernel's pid_max): its engine is gone.
    writer('dead', { pid: 2 ** 30, host: thisEngine().host });
    markInterruptedRuns(runRoot);
    expect(active()).toEqual(['live']);
    const dead = onDisk('dead');
    expect(dead.state).toBe('interrupted');
    expect(dead.finishedAt).toBeDefined();
    expect(dead.steps[0]?.state).toBe('cancelled');
    expect(onDisk('live').state).toBe('running');
  });

  it('a marker without a run folder is dropped', () => {
    writer('gone', thisEngine());
    rmSync(join(runRoot, 'runs', 'gone'), { recursive: true });
    markInterruptedRuns(runRoot);
    expect(active()).toEqual([]);
  });
});
