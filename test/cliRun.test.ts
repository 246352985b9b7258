import { jest } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, type RunEvent, type StepStateEvent } from '../packages/core/src/index.js';
import type { RunRecord } from '../packages/core/src/run/local/record.js';
import { buildCli, collect, notebookFolder, processEnds, readJson, runCli, startCli } from './cliHarness.js';

jest.setTimeout(120_000);
beforeAll(buildCli);

/** Waits (bounded) in Python until another step has created `name`: it only passes if both run at once. */
/** Marker paths are built at run time: literal paths would make the two branches a file dependency of each other. */
function rendezvous(mine: string, theirs: string): string {
  return [
    'import os, time',
    `mine, theirs = (name + ".started" for name in (${JSON.stringify(mine)}, ${JSON.stringify(theirs)}))`,
    'open(mine, "w").close()',
    'deadline = time.time() + 60',
    'while not os.path.exists(theirs) and time.time() < deadline:',
    '    time.sleep(0.02)',
    'assert os.path.exists(theirs), "the other branch never ran concurrently"',
  ].join('\n');
}

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

function latestRecord(dir: string): RunRecord {
  const records = readdirSync(join(dir, '.cellpipe', 'runs')).map((run) =>
    readJson<RunRecord>(join(dir, '.cellpipe', 'runs', run, 'run.json')),
  );
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt))[records.length - 1] as RunRecord;
}

describe('cellpipe run (real CLI, real Python runtime)', () => {
  it('runs independent branches at the same time and joins them', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'base = 20', tags: ['step:start'] },
      { source: `${rendezvous('left', 'right')}\nleft = base + 1`, tags: ['step:left'] },
      { source: `${rendezvous('right', 'left')}\nright = base + 2`, tags: ['step:right'] },
      { source: 'total = left + right\nprint("total", total)', tags: ['step:join'] },
    ]);
    const result = await runCli(['run', notebook, '--jobs', '2', '--logs'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('join | total 43');
    expect(result.stdout).toMatch(/^join: succeeded/m);
    const record = latestRecord(dir);
    expect(record.state).toBe('succeeded');
    expect(record.steps.map((step) => [step.name, step.state])).toEqual([
      ['start', 'succeeded'],
      ['left', 'succeeded'],
      ['right', 'succeeded'],
      ['join', 'succeeded'],
    ]);
    expect(record.steps.find((step) => step.name === 'join')?.after.sort()).toEqual(['left', 'right']);
  });

  it('stops only the dependents of a failed step, maps the traceback to the cell and exits 1', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'x = 1', tags: ['step:load'] },
      { source: 'y = x + 1\nz = y / 0', tags: ['step:broken'] },
      { source: 'w = z * 2', tags: ['step:after-broken'] },
      { source: 'v = x * 3\nprint("v is", v)', tags: ['step:independent'] },
    ]);
    const result = await runCli(['run', notebook, '--json'], dir);
    expect(result.code).toBe(1);
    const all = events(result.stdout);
    expect(finalStates(all)).toEqual({
      load: 'succeeded',
      broken: 'failed',
      'after-broken': 'skipped',
      independent: 'succeeded',
    });
    const error = all.find((event) => event.type === 'step-error');
    expect(error).toMatchObject({
      step: 'broken',
      errorType: 'ZeroDivisionError',
      cellId: 'cell-1',
      cellIndex: 1,
      line: 2,
    });
    const skipped = all.find((e): e is StepStateEvent => e.type === 'step-state' && e.state === 'skipped');
    expect(skipped?.reason).toBe("upstream step 'broken' failed");
    expect(result.stderr).toContain("step 'broken' failed: ZeroDivisionError");
    expect(result.stderr).toContain('in cell 2 (id cell-1), line 2');
    expect(all[all.length - 1]).toMatchObject({ type: 'run-finished', state: 'failed' });
    expect(latestRecord(dir).steps.find((step) => step.name === 'broken')?.error?.type).toBe('ZeroDivisionError');
  });

  it('--json prints only NDJSON RunEvents, from run-started to run-finished', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'import cellpipe\na = [1, 2, 3]\nprint("hello from a")', tags: ['step:a'] },
      { source: 'b = sum(a)\ncellpipe.log_metric("b_sum", b)', tags: ['step:b'] },
    ]);
    const result = await runCli(['run', notebook, '--json'], dir);
    expect(result.code).toBe(0);
    const all = events(result.stdout);
    expect(all[0]?.type).toBe('run-started');
    expect(all[all.length - 1]?.type).toBe('run-finished');
    expect(new Set(all.map((event) => event.runId)).size).toBe(1);
    const aOutput = all.map((event) => (event.type === 'step-log' && event.step === 'a' ? event.text : '')).join('');
    expect(aOutput).toBe('hello from a\n');
    expect(all).toContainEqual(expect.objectContaining({ type: 'step-metric', step: 'b', name: 'b_sum', value: 6 }));
    const finished = all[all.length - 1] as Extract<RunEvent, { type: 'run-finished' }>;
    expect(finished.metrics).toEqual({ a: {}, b: { b_sum: 6 } });
    expect(finished.recordPath && existsSync(finished.recordPath)).toBe(true);
  });

  it('serves every step of an unchanged re-run from the cache, and re-runs what a parameter change reaches', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'scale = 2', tags: ['pipeline-parameters'] },
      { source: 'import random\nseed_value = random.random()', tags: ['step:draw'] },
      { source: 'scaled = seed_value * scale', tags: ['step:scale'] },
    ]);
    const first = await runCli(['run', notebook, '--json'], dir);
    expect(first.code).toBe(0);
    const firstOut = readFileSync(
      join(dir, '.cellpipe', 'runs', latestRecord(dir).runId, 'steps', 'scale', 'out', 'manifest.json'),
      'utf8',
    );

    const second = await runCli(['run', notebook, '--json'], dir);
    expect(second.code).toBe(0);
    expect(finalStates(events(second.stdout))).toEqual({ draw: 'cached', scale: 'cached' });
    const record = latestRecord(dir);
    expect(record.steps.every((step) => step.cached && step.state === 'cached')).toBe(true);
    expect(
      readFileSync(join(dir, '.cellpipe', 'runs', record.runId, 'steps', 'scale', 'out', 'manifest.json'), 'utf8'),
    ).toBe(firstOut);
    expect(events(second.stdout).some((event) => event.type === 'step-state' && event.state === 'running')).toBe(false);

    const changed = await runCli(['run', notebook, '--json', '-p', 'scale=3'], dir);
    expect(finalStates(events(changed.stdout))).toEqual({ draw: 'cached', scale: 'succeeded' });

    const uncached = await runCli(['run', notebook, '--json', '--no-cache'], dir);
    expect(finalStates(events(uncached.stdout))).toEqual({ draw: 'succeeded', scale: 'succeeded' });
  });

  it('-p overrides parameters as Python literals; unknown names and bad values are input errors', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'factor = 2\nlabel = "x"', tags: ['parameters'] },
      { source: 'result = factor * 10\nname = label.upper()', tags: ['step:compute'] },
      { source: 'print(result)\nprint(name)', tags: ['pipeline-metrics'] },
    ]);
    const defaults = await runCli(['run', notebook, '--json'], dir);
    expect((events(defaults.stdout).pop() as { metrics: unknown }).metrics).toEqual({
      compute: { result: 20, name: 'X' },
    });

    const overridden = await runCli(['run', notebook, '--json', '-p', 'factor=5', '-p', "label='hello'"], dir);
    expect(overridden.code).toBe(0);
    expect((events(overridden.stdout).pop() as { metrics: unknown }).metrics).toEqual({
      compute: { result: 50, name: 'HELLO' },
    });
    expect(latestRecord(dir).parameters).toEqual({ factor: 5, label: 'hello' });

    const unknown = await runCli(['run', notebook, '-p', 'fcator=5'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe("cellpipe: unknown parameter 'fcator': the notebook declares factor, label\n");

    const malformed = await runCli(['run', notebook, '-p', 'factor'], dir);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('Ctrl-C stops the running steps and leaves a consistent run.json (exit 130)', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'a = 1', tags: ['step:quick'] },
      {
        source:
          'import os, subprocess, time\nhelper = subprocess.Popen(["sleep", "120"])\nopen("helper.pid", "w").write(str(helper.pid))\nprint("ready", flush=True)\ntime.sleep(120)\nb = a',
        tags: ['step:slow'],
      },
      { source: 'c = b + 1', tags: ['step:never'] },
    ]);
    const child = startCli(['run', notebook, '--json'], dir);
    const done = collect(child);
    // Interrupt once the slow step is surely running (or stop waiting if the CLI ended early).
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout?.on('data', (text: string) => {
        seen += text;
        if (seen.includes('"text":"ready')) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    const all = events(result.stdout);
    expect(finalStates(all)).toEqual({ quick: 'succeeded', slow: 'cancelled', never: 'cancelled' });
    expect(all[all.length - 1]).toMatchObject({ type: 'run-finished', state: 'cancelled' });
    const record = latestRecord(dir);
    expect(record.state).toBe('cancelled');
    expect(record.finishedAt).toBeDefined();
    expect(Object.fromEntries(record.steps.map((step) => [step.name, step.state]))).toEqual({
      quick: 'succeeded',
      slow: 'cancelled',
      never: 'cancelled',
    });
    expect(await processEnds(Number(readFileSync(join(dir, 'helper.pid'), 'utf8')))).toBe(true);
  });

  it('a second Ctrl-C exits at once and still kills steps that ignore SIGTERM', async () => {
    const { dir, notebook } = notebookFolder([
      {
        source:
          'import os, signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nopen("step.pid", "w").write(str(os.getpid()))\nprint("ready", flush=True)\ntime.sleep(120)\nx = 1',
        tags: ['step:stubborn'],
      },
    ]);
    const child = startCli(['run', notebook, '--json'], dir);
    const done = collect(child);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout?.on('data', (text: string) => {
        seen += text;
        if (seen.includes('"text":"ready')) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGINT');
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (text: string) => text.includes('cancelling') && resolve());
      child.on('close', () => resolve());
    });
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(await processEnds(Number(readFileSync(join(dir, 'step.pid'), 'utf8')))).toBe(true);
  });

  it('rejects bad input with exit 2 and one line', async () => {
    const { dir } = notebookFolder(['x = 1']);
    for (const args of [
      ['run', 'missing.ipynb'],
      ['run'],
      ['run', 'nb.ipynb', '--jobs', '0'],
      ['run', 'nb.ipynb', '--bogus'],
    ]) {
      const result = await runCli(args, dir);
      expect({ args, code: result.code, lines: result.stderr.trim().split('\n').length }).toEqual({
        args,
        code: 2,
        lines: 1,
      });
      expect(result.stderr).toMatch(/^cellpipe: /);
    }
    const blocked = notebookFolder([
      { source: 'a = 1', tags: ['step:first'] },
      { source: 'b = a', tags: ['step:second', 'prev:nowhere'] },
    ]);
    const result = await runCli(['run', blocked.notebook], blocked.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("cellpipe: cell 2 (id cell-1): tag 'prev:nowhere' names no step of this notebook\n");
    expect(existsSync(join(blocked.dir, '.cellpipe'))).toBe(false);
  });
});
