/** The engine killed with SIGKILL mid-run: its record says so, and the re-run reuses only what finished. */
import { jest } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, LineSplitter, type RunEvent } from '../packages/core/src/index.js';
import { listRunRecords, type RunRecord } from '../packages/core/src/run/local/record.js';
import { buildCli, notebookFolder, runCli, startCli } from './cliHarness.js';

jest.setTimeout(180_000);
beforeAll(buildCli);

/** Python that waits (bounded) until the test creates `name` in the notebook folder. */
function waitForFile(name: string): string {
  return [
    'import os, time',
    'deadline = time.time() + 120',
    `while not os.path.exists(${JSON.stringify(name)}) and time.time() < deadline:`,
    '    time.sleep(0.05)',
  ].join('\n');
}

it('SIGKILL mid-run: the record says interrupted, the re-run takes finished steps from cache', async () => {
  const { dir, notebook } = notebookFolder([
    { source: 'squares = [i * i for i in range(1000)]', tags: ['step:make'] },
    { source: 'total = sum(squares)', tags: ['step:total'] },
    { source: `${waitForFile('go')}\nfinal = total + 1`, tags: ['step:slow'] },
    { source: 'final', tags: ['pipeline-metrics'] },
  ]);

  const engine = startCli(['run', notebook, '--json', '--jobs', '1'], dir);
  const seen: RunEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    const splitter = new LineSplitter();
    engine.stdout?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of splitter.push(text)) {
        const event = decodeEvent(line);
        seen.push(event);
        if (event.type === 'step-state' && event.step === 'slow' && event.state === 'running') resolve();
      }
    });
    engine.on('close', () => reject(new Error(`the run ended before 'slow' ran: ${JSON.stringify(seen)}`)));
  });
  // Wait for Node to reap the engine: until then its pid is a zombie, which still answers kill(pid, 0).
  const reaped = new Promise((resolve) => engine.once('exit', resolve));
  engine.kill('SIGKILL');
  expect(await reaped).toBeNull();
  const killedRunId = seen[0]?.runId as string;

  // The record on disk is whole JSON (atomic writes) and, read as a record, says the run was interrupted.
  const killedPath = join(dir, '.cellpipe', 'runs', killedRunId, 'run.json');
  expect((JSON.parse(readFileSync(killedPath, 'utf8')) as RunRecord).state).toBe('running');
  const listed = listRunRecords(join(dir, '.cellpipe')).find((record) => record.runId === killedRunId);
  expect(listed?.state).toBe('interrupted');
  expect(listed?.steps.find((step) => step.name === 'slow')?.state).toBe('cancelled');

  // What a crash in the middle of storing a cache entry leaves behind must never be read as an entry.
  const cache = join(dir, '.cellpipe', 'cache');
  const half = join(cache, '.tmp-0123456789abcdef-deadbeef', 'out');
  mkdirSync(half, { recursive: true });
  writeFileSync(join(half, 'manifest.json'), '{"status": "succ');

  writeFileSync(join(dir, 'go'), '');
  const rerun = await runCli(['run', notebook, '--json'], dir);
  expect(rerun.stderr).toBe('');
  expect(rerun.code).toBe(0);
  const events = rerun.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => decodeEvent(line));
  const states: Record<string, string> = {};
  for (const event of events) if (event.type === 'step-state') states[event.step] = event.state;
  expect(states).toEqual({ make: 'cached', total: 'cached', slow: 'succeeded' });
  const finished = events.at(-1);
  expect(finished).toMatchObject({ type: 'run-finished', state: 'succeeded' });
  expect(finished?.type === 'run-finished' && finished.metrics.slow).toEqual({ final: 332833501 });

  // Starting the re-run wrote the interruption into the killed run's own record.
  const persisted = JSON.parse(readFileSync(killedPath, 'utf8')) as RunRecord;
  expect(persisted.state).toBe('interrupted');
  expect(persisted.finishedAt).toBeDefined();
  expect(readdirSync(join(dir, '.cellpipe', 'runs'))).toHaveLength(2);
});
