import { jest } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, type RunEvent, type StepErrorEvent } from '../packages/core/src/index.js';
import { buildCli, collect, notebookFolder, processEnds, runCli, startCli } from './cliHarness.js';

jest.setTimeout(120_000);
beforeAll(buildCli);

function events(stdout: string): RunEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => decodeEvent(line));
}

function finalStates(all: RunEvent[]): Record<string, string> {
  const states: Record<string, string> = {};
  for (const event of all) if (event.type === 'step-state') states[event.step] = event.state;
  return states;
}

/** A step reads `rows` and mutates it through a local module: no static analysis can see that. */
function hiddenMutation(): { dir: string; notebook: string } {
  const folder = notebookFolder([
    { source: 'rows = [3, 1, 2]', tags: ['step:load'] },
    { source: 'import reorder\nprint(len(rows))\nreorder.sort_rows()\nn = 1', tags: ['step:clean'] },
    { source: 'first = rows[0] + n\nprint("first", first)', tags: ['step:report'] },
  ]);
  writeFileSync(join(folder.dir, 'reorder.py'), 'import __main__\n\ndef sort_rows():\n    __main__.rows.sort()\n');
  return folder;
}

describe('the run-time check (real CLI, real Python runtime)', () => {
  it('stops a step that changes a value a later step reads from an earlier step, in one line through the events', async () => {
    const { dir, notebook } = hiddenMutation();
    const result = await runCli(['run', notebook, '--json'], dir);
    expect(result.code).toBe(1);
    const all = events(result.stdout);
    expect(finalStates(all)).toEqual({ load: 'succeeded', clean: 'failed', report: 'skipped' });
    const error = all.find((event): event is StepErrorEvent => event.type === 'step-error');
    expect(error).toMatchObject({ step: 'clean', errorType: 'UnpredictedChange', cellIndex: 1 });
    expect(error?.message).toBe(
      `step 'clean' changed 'rows' in cell 2 (id ${error?.cellId}), but step 'report' reads it as step 'load' left it ` +
        "(the dependency analysis missed this change): tag the cells of 'clean' and 'report' as one step",
    );
  });

  it('prints the error on the terminal, and CELLPIPE_CHECK=0 lets the wrong number through (what the check prevents)', async () => {
    const { dir, notebook } = hiddenMutation();
    const checked = await runCli(['run', notebook, '--logs'], dir);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain("step 'clean' failed: UnpredictedChange: step 'clean' changed 'rows' in cell 2");
    const previous = process.env.CELLPIPE_CHECK;
    process.env.CELLPIPE_CHECK = '0';
    try {
      const unchecked = await runCli(['run', notebook, '--logs', '--no-cache'], dir);
      expect(unchecked.code).toBe(0);
      // Top to bottom the notebook prints "first 2"; the pipeline without the check silently gets 4.
      expect(unchecked.stdout).toContain('report | first 4');
    } finally {
      if (previous === undefined) delete process.env.CELLPIPE_CHECK;
      else process.env.CELLPIPE_CHECK = previous;
    }
  });
});

describe('the cache key (real CLI, real Python runtime)', () => {
  it('re-runs a step when a data file it opened, a local module it imported or an environment variable it reads changes', async () => {
    const { dir, notebook } = notebookFolder([
      {
        source:
          'import os\nimport scale\nname = "in" + "put.txt"\ntext = open(name).read()\nmode = os.environ.get("CELLPIPE_TEST_MODE")',
        tags: ['step:read'],
      },
      { source: 'print("result", scale.factor() * len(text), mode)', tags: ['step:show'] },
    ]);
    writeFileSync(join(dir, 'input.txt'), 'abc');
    writeFileSync(join(dir, 'scale.py'), 'def factor():\n    return 10\n');
    const states = async (): Promise<Record<string, string>> =>
      finalStates(events((await runCli(['run', notebook, '--json'], dir)).stdout));
    expect(await states()).toEqual({ read: 'succeeded', show: 'succeeded' });
    expect(await states()).toEqual({ read: 'cached', show: 'cached' });
    // Same size, new content: the runtime saw the file opened under a computed name.
    writeFileSync(join(dir, 'input.txt'), 'xyz');
    expect((await states()).read).toBe('succeeded');
    writeFileSync(join(dir, 'scale.py'), 'def factor():\n    return 20\n');
    expect((await states()).read).toBe('succeeded');
    process.env.CELLPIPE_TEST_MODE = 'fast';
    try {
      expect((await states()).read).toBe('succeeded');
      expect((await states()).read).toBe('cached');
    } finally {
      delete process.env.CELLPIPE_TEST_MODE;
    }
  });
});

describe('cancelling verification', () => {
  it('SIGTERM while the tracer runs the notebook is a clean cancel: exit 130, the tracer stopped', async () => {
    const { dir, notebook } = notebookFolder([
      {
        source: 'import os, time\nopen("traced.pid", "w").write(str(os.getpid()))\ntime.sleep(120)\nx = 1',
        tags: ['step:slow'],
      },
    ]);
    const child = startCli(['verify', notebook], dir);
    const done = collect(child);
    const pidFile = join(dir, 'traced.pid');
    for (let waited = 0; !existsSync(pidFile) && waited < 60_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('cellpipe: cancelled');
    expect(result.stderr).not.toContain('internal error');
    expect(await processEnds(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });
});
