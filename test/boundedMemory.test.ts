/** A step that prints far more than memory should hold: the engine streams it to the run record, never keeps it. */
import { jest } from '@jest/globals';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineSplitter, type EngineMessage, type RunEvent } from '../packages/core/src/index.js';
import { buildCli, notebookFolder, processEnds, python, startCli } from './cliHarness.js';

jest.setTimeout(300_000);
beforeAll(buildCli);

const PRINTED_MB = 200;

/** Resident memory of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

it(`cellpipe serve stays small while a step prints ${PRINTED_MB} MB`, async () => {
  const { dir, notebook } = notebookFolder([
    {
      source: `import sys\nfor _ in range(${PRINTED_MB} * 1024):\n    sys.stdout.write("x" * 1023 + "\\n")`,
      tags: ['step:chatty'],
    },
  ]);
  const engine = startCli(['serve', '--stdio'], dir);
  const pid = engine.pid as number;
  let logChars = 0;
  const problems: string[] = [];
  let baselineMb = 0;
  let peakMb = 0;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pid))), 50);
  const finished = new Promise<RunEvent>((resolve) => {
    const splitter = new LineSplitter();
    engine.stdout?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of splitter.push(text)) {
        const event = (JSON.parse(line) as EngineMessage & { event?: RunEvent }).event;
        if (event?.type === 'run-started') baselineMb = rssMb(pid);
        if (event?.type === 'step-log') logChars += event.text.length;
        if (event?.type === 'step-state' && event.reason) problems.push(`${event.step}: ${event.reason}`);
        if (event?.type === 'run-finished') resolve(event);
      }
    });
  });
  engine.stdin?.write(
    JSON.stringify({ id: 1, method: 'run', params: { notebookPath: notebook, python, cache: false } }) + '\n',
  );
  const last = await finished;
  clearInterval(sampler);
  engine.stdin?.end();
  await processEnds(pid, 30_000);

  expect({ state: (last as { state: string }).state, problems }).toEqual({ state: 'succeeded', problems: [] });
  // Every byte was streamed to the consumer and to the record, so the memory figure below is not from dropping logs.
  expect(logChars).toBe(PRINTED_MB * 1024 * 1024);
  const runs = join(dir, '.cellpipe', 'runs');
  const record = JSON.parse(readFileSync(join(runs, last.runId, 'run.json'), 'utf8')) as {
    steps: { stdout: string }[];
  };
  expect(statSync(join(runs, last.runId, record.steps[0]?.stdout as string)).size).toBe(PRINTED_MB * 1024 * 1024);
  const growthMb = peakMb - baselineMb;
  console.log(
    `serve RSS: ${baselineMb.toFixed(0)} MB at start, peak ${peakMb.toFixed(0)} MB for ${PRINTED_MB} MB printed`,
  );
  expect(growthMb).toBeLessThan(PRINTED_MB / 4);
});
