import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../../events/runEvent.js';
import { buildNotebook, notebookToJson, type CellSketch } from '../../../notebook/builder.js';
import { LocalBackend } from '../backend.js';
import type { RunRecord } from '../record.js';

// Real Python processes on a shared machine: a test may take longer than jest's 5 s default.
jest.setTimeout(120_000);

const python = resolve(fileURLToPath(import.meta.url), '../../../../../../../.venv/bin/python');

describe('warm step processes (real Python fork server)', () => {
  let dir: string;
  let notebookPath: string;

  function notebook(cells: CellSketch[]): void {
    writeFileSync(notebookPath, notebookToJson(buildNotebook(cells)));
  }
  function record(runId: string): RunRecord {
    return JSON.parse(readFileSync(join(dir, '.cellpipe', 'runs', runId, 'run.json'), 'utf8')) as RunRecord;
  }
  async function run(backend: LocalBackend, warm?: boolean): Promise<{ events: RunEvent[]; record: RunRecord }> {
    const handle = backend.start({ notebookPath, python, cache: false, warm });
    const events: RunEvent[] = [];
    for await (const event of handle.events) events.push(event);
    await handle.done;
    return { events, record: record(handle.runId) };
  }
  function logOf(events: RunEvent[], step: string): string {
    return events.map((event) => (event.type === 'step-log' && event.step === step ? event.text : '')).join('');
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cellpipe-warm-'));
    notebookPath = join(dir, 'nb.ipynb');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a step that exits, aborts or segfaults its interpreter fails alone: dependents skipped, the others finish', async () => {
    notebook([
      { source: 'import json\nbase = 1', tags: ['step:base'] },
      { source: 'import os\nexited = base\nos._exit(3)', tags: ['step:exits'] },
      { source: 'import os\naborted = base\nos.abort()', tags: ['step:aborts'] },
      { source: 'import ctypes\nsegfaulted = base\nctypes.string_at(0)', tags: ['step:segfaults'] },
      { source: 'after = exited + aborted + segfaulted', tags: ['step:dependent'] },
      { source: 'import json\nprint(json.dumps(base + 1))', tags: ['step:sibling'] },
    ]);
    const backend = new LocalBackend();
    const { events, record } = await run(backend);
    const steps = Object.fromEntries(record.steps.map((step) => [step.name, step]));
    expect(Object.fromEntries(record.steps.map((step) => [step.name, step.state]))).toEqual({
      base: 'succeeded',
      exits: 'failed',
      aborts: 'failed',
      segfaults: 'failed',
      dependent: 'skipped',
      sibling: 'succeeded',
    });
    expect(steps.exits?.reason).toBe('Python exited with code 3');
    expect(steps.aborts?.reason).toMatch(/^Python was killed by SIGABRT/);
    expect(steps.segfaults?.reason).toMatch(/^Python was killed by SIGSEGV/);
    expect(record.warm).toBe(true);
    expect(record.steps.filter((step) => step.state !== 'skipped').every((step) => step.warm)).toBe(true);
    expect(logOf(events, 'sibling')).toBe('2\n');
  });

  it('cancelling a run stops a forked step mid-cell', async () => {
    notebook([{ source: 'import time\nprint("started", flush=True)\ntime.sleep(60)', tags: ['step:slow'] }]);
    const handle = new LocalBackend({ killGraceMs: 500 }).start({ notebookPath, python, cache: false });
    const began = Date.now();
    for await (const event of handle.events)
      if (event.type === 'step-log' && event.text.includes('started')) handle.cancel();
    const finished = await handle.done;
    expect(finished.state).toBe('cancelled');
    expect(Date.now() - began).toBeLessThan(30_000);
    const step = record(handle.runId).steps[0];
    expect([step?.state, step?.warm]).toEqual(['cancelled', true]);
  });

  it('cancelling a run while the pool still imports what a step needs stops at once', async () => {
    const site = join(dir, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'slow_to_import.py'), 'import time\ntime.sleep(60)\n');
    notebook([{ source: 'import slow_to_import', tags: ['step:waits'] }]);
    const previous = process.env.PYTHONPATH;
    process.env.PYTHONPATH = site;
    try {
      const handle = new LocalBackend({ killGraceMs: 500 }).start({ notebookPath, python, cache: false });
      const began = Date.now();
      for await (const event of handle.events)
        if (event.type === 'step-state' && event.state === 'running') handle.cancel();
      expect((await handle.done).state).toBe('cancelled');
      expect(Date.now() - began).toBeLessThan(30_000);
    } finally {
      if (previous === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = previous;
    }
  });

  it('a step whose import fails in the pool starts cold, with the reason in the run record', async () => {
    notebook([
      { source: 'import no_such_module_anywhere', tags: ['step:missing'] },
      { source: 'value = 1', tags: ['step:fine'] },
    ]);
    const { record } = await run(new LocalBackend());
    const [missing, fine] = record.steps;
    expect(missing?.state).toBe('failed');
    expect(missing?.warm).toBe(false);
    expect(missing?.coldReason).toMatch(
      /^import of no_such_module_anywhere failed in the warm pool: ModuleNotFoundError/,
    );
    expect(missing?.error?.type).toBe('ModuleNotFoundError');
    expect([fine?.state, fine?.warm]).toEqual(['succeeded', true]);
  });

  it('warm: false starts every step cold, and says so in the record', async () => {
    notebook([{ source: 'import os\nprint(os.getppid() == int(os.environ["PARENT_PID"]))', tags: ['step:only'] }]);
    process.env.PARENT_PID = String(process.pid);
    try {
      const { events, record } = await run(new LocalBackend(), false);
      expect(record.warm).toBe(false);
      expect(record.steps[0]?.warm).toBe(false);
      expect(logOf(events, 'only')).toBe('True\n');
    } finally {
      delete process.env.PARENT_PID;
    }
  });

  it("an editor's engine forks the next run's steps from the pool it kept; a CLI run's pool ends with it", async () => {
    notebook([{ source: 'import os\nprint(os.getppid())', tags: ['step:parent'] }]);
    const kept = new LocalBackend({ keepWarm: true });
    try {
      const first = logOf((await run(kept)).events, 'parent');
      const second = logOf((await run(kept)).events, 'parent');
      expect(second).toBe(first);
    } finally {
      kept.close();
    }
    const oneShot = new LocalBackend();
    const first = logOf((await run(oneShot)).events, 'parent');
    const second = logOf((await run(oneShot)).events, 'parent');
    expect(second).not.toBe(first);
  });
});
