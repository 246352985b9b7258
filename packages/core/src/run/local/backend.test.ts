import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../events/runEvent.js';
import { buildNotebook, notebookToJson, type CellSketch } from '../../notebook/builder.js';
import { RunInputError } from '../types.js';
import { LocalBackend } from './backend.js';
import type { RunRecord } from './record.js';

const python = resolve(fileURLToPath(import.meta.url), '../../../../../../.venv/bin/python');

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

function finalStates(events: RunEvent[]): Record<string, string> {
  const states: Record<string, string> = {};
  for (const event of events) if (event.type === 'step-state') states[event.step] = event.state;
  return states;
}

describe('LocalBackend (real Python step runtime)', () => {
  let dir: string;
  let notebookPath: string;
  const backend = new LocalBackend({ killGraceMs: 500 });

  function notebook(cells: CellSketch[]): void {
    writeFileSync(notebookPath, notebookToJson(buildNotebook(cells)));
  }
  function record(runId: string): RunRecord {
    return JSON.parse(readFileSync(join(dir, '.cellpipe', 'runs', runId, 'run.json'), 'utf8')) as RunRecord;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cellpipe-backend-'));
    notebookPath = join(dir, 'nb.ipynb');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('retries a failing step as its retry: tag allows, keeping every attempt in the log', async () => {
    notebook([
      {
        source:
          'import os\nfirst = not os.path.exists("attempted")\nopen("attempted", "w").close()\nprint("attempt, first:", first)\nif first:\n    raise RuntimeError("flaky")\nvalue = 1',
        tags: ['step:flaky', 'retry:1'],
      },
    ]);
    const handle = backend.start({ notebookPath, python });
    const events = await collect(handle.events);
    expect((await handle.done).state).toBe('succeeded');
    expect(finalStates(events)).toEqual({ flaky: 'succeeded' });
    const step = record(handle.runId).steps[0];
    expect(step?.attempts).toBe(2);
    const log = readFileSync(join(dir, '.cellpipe', 'runs', handle.runId, step?.stdout ?? ''), 'utf8');
    expect(log).toBe('attempt, first: True\nattempt, first: False\n');
  });

  it('stops a step at its timeout: tag and skips its dependents', async () => {
    notebook([
      { source: 'import time\ntime.sleep(60)\nx = 1', tags: ['step:stuck', 'timeout:1s'] },
      { source: 'y = x + 1', tags: ['step:after'] },
    ]);
    const handle = backend.start({ notebookPath, python });
    const events = await collect(handle.events);
    expect(finalStates(events)).toEqual({ stuck: 'failed', after: 'skipped' });
    expect(events).toContainEqual(
      expect.objectContaining({ step: 'stuck', state: 'failed', reason: 'timed out after 1s' }),
    );
    expect((await handle.done).state).toBe('failed');
  });

  it('never caches a step tagged cache:disabled', async () => {
    notebook([
      { source: 'a = 1', tags: ['step:kept'] },
      { source: 'b = a + 1', tags: ['step:fresh', 'cache:disabled'] },
    ]);
    await backend.start({ notebookPath, python }).done;
    const second = backend.start({ notebookPath, python });
    expect(finalStates(await collect(second.events))).toEqual({ kept: 'cached', fresh: 'succeeded' });
  });

  it('re-runs a cached step when a data file its code names has changed', async () => {
    writeFileSync(join(dir, 'input.txt'), 'one two');
    notebook([
      { source: 'words = open("input.txt").read().split()', tags: ['step:read'] },
      { source: 'count = len(words)', tags: ['step:count'] },
      { source: 'print(count)', tags: ['pipeline-metrics'] },
    ]);
    await backend.start({ notebookPath, python }).done;
    const unchanged = backend.start({ notebookPath, python });
    expect(finalStates(await collect(unchanged.events))).toEqual({ read: 'cached', count: 'cached' });
    writeFileSync(join(dir, 'input.txt'), 'one two three');
    const edited = backend.start({ notebookPath, python });
    expect(finalStates(await collect(edited.events))).toEqual({ read: 'succeeded', count: 'succeeded' });
    expect((await edited.done).metrics).toEqual({ read: {}, count: { count: 3 } });
  });

  it('cancel() ends running steps, gives late subscribers every event and leaves run.json final', async () => {
    notebook([
      { source: 'import time\nprint("go", flush=True)\ntime.sleep(60)\nx = 1', tags: ['step:slow'] },
      { source: 'y = 2', tags: ['step:other'] },
      { source: 'z = x + y', tags: ['step:last'] },
    ]);
    const handle = backend.start({ notebookPath, python, jobs: 1 });
    const early = collect(handle.events);
    for await (const event of handle.events)
      if (event.type === 'step-log' && event.text.includes('go')) {
        handle.cancel();
        break;
      }
    const finished = await handle.done;
    expect(finished.state).toBe('cancelled');
    const late = await collect(handle.events);
    expect(late).toEqual(await early);
    expect(finalStates(late)).toEqual({ slow: 'cancelled', other: 'cancelled', last: 'cancelled' });
    const saved = record(handle.runId);
    expect(saved.state).toBe('cancelled');
    expect(saved.steps.map((step) => step.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(saved.elapsedMs).toBe(finished.elapsedMs);
  });

  it('fails every runnable step with one line when Python cannot start', async () => {
    notebook([
      { source: 'a = 1', tags: ['step:one'] },
      { source: 'b = a', tags: ['step:two'] },
    ]);
    const handle = backend.start({ notebookPath, python: join(dir, 'no-python') });
    const events = await collect(handle.events);
    expect(finalStates(events)).toEqual({ one: 'failed', two: 'skipped' });
    const failed = events.find((event) => event.type === 'step-state' && event.state === 'failed');
    expect(failed).toMatchObject({
      reason: expect.stringMatching(/^cannot start Python '.*no-python': spawn .* ENOENT$/),
    });
  });

  it('rejects bad input before creating a run', () => {
    notebook([
      { source: 'n = 1', tags: ['pipeline-parameters'] },
      { source: 'm = n', tags: ['step:s'] },
    ]);
    expect(() => backend.start({ notebookPath, python, parameters: { k: 1 } })).toThrow(
      new RunInputError("unknown parameter 'k': the notebook declares n"),
    );
    expect(() => backend.start({ notebookPath, python, jobs: 0 })).toThrow('jobs must be a positive integer, got 0');
    expect(() => backend.start({ notebookPath: join(dir, 'none.ipynb') })).toThrow(
      /^cannot read notebook .*none\.ipynb: ENOENT$/,
    );
    expect(existsSync(join(dir, '.cellpipe'))).toBe(false);
  });
});
