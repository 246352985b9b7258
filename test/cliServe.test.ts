import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  analyzeNotebook,
  graphToJson,
  LineSplitter,
  readNotebook,
  type EngineMessage,
  type RunEvent,
} from '../packages/core/src/index.js';
import { buildCli, collect, notebookFolder, startCli } from './cliHarness.js';

jest.setTimeout(120_000);
beforeAll(buildCli);

/** A `cellpipe serve --stdio` process and the messages it wrote so far. */
class Engine {
  readonly messages: EngineMessage[] = [];
  readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(cwd: string) {
    this.child = startCli(['serve', '--stdio'], cwd);
    const splitter = new LineSplitter();
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of splitter.push(text)) this.messages.push(JSON.parse(line) as EngineMessage);
      for (const listener of this.listeners) listener();
    });
  }

  send(request: unknown): void {
    this.child.stdin?.write(typeof request === 'string' ? `${request}\n` : `${JSON.stringify(request)}\n`);
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor<T extends EngineMessage>(match: (message: EngineMessage) => message is T): Promise<T>;
  waitFor(match: (message: EngineMessage) => boolean): Promise<EngineMessage>;
  waitFor(match: (message: EngineMessage) => boolean): Promise<EngineMessage> {
    return new Promise((resolve) => {
      const check = (): void => {
        const found = this.messages.find(match);
        if (found) {
          this.listeners.delete(check);
          resolve(found);
        }
      };
      this.listeners.add(check);
      check();
    });
  }

  response(id: number): Promise<EngineMessage> {
    return this.waitFor((message) => 'id' in message && message.id === id);
  }

  events(runId: string): RunEvent[] {
    return this.messages.flatMap((message) =>
      'event' in message && message.event.runId === runId ? [message.event] : [],
    );
  }
}

describe('cellpipe serve --stdio', () => {
  it('runs notebooks, streams their events, lists past runs, analyzes and compiles', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'n = 3', tags: ['pipeline-parameters'] },
      { source: 'values = list(range(n))', tags: ['step:make'] },
      { source: 'total = sum(values)', tags: ['step:add'] },
      { source: 'print(total)', tags: ['pipeline-metrics'] },
    ]);
    const engine = new Engine(dir);
    const exited = collect(engine.child);

    engine.send({ id: 1, method: 'run', params: { notebookPath: notebook, parameters: { n: 5 }, jobs: 1 } });
    const started = await engine.response(1);
    expect(started).toEqual({ id: 1, result: { runId: expect.any(String) } });
    const runId = (started as { result: { runId: string } }).result.runId;
    const finished = await engine.waitFor(
      (message) => 'event' in message && message.event.type === 'run-finished' && message.event.runId === runId,
    );
    expect(finished).toMatchObject({ event: { state: 'succeeded', metrics: { add: { total: 10 } } } });
    expect(engine.events(runId)[0]?.type).toBe('run-started');

    engine.send({ id: 2, method: 'runs', params: { notebookPath: notebook } });
    const runs = (await engine.response(2)) as { result: { runs: { runId: string; state: string }[] } };
    expect(runs.result.runs.map((run) => [run.runId, run.state])).toEqual([[runId, 'succeeded']]);

    engine.send({ id: 'g', method: 'analyze', params: { notebookPath: notebook } });
    const analyzed = await engine.waitFor((message) => 'id' in message && message.id === 'g');
    const expected = graphToJson(analyzeNotebook(readNotebook(readFileSync(notebook, 'utf8'), notebook)));
    expect(analyzed).toEqual({ id: 'g', result: JSON.parse(JSON.stringify(expected)) });

    engine.send({ id: 3, method: 'compile', params: { notebookPath: notebook, target: 'argo' } });
    const compiled = (await engine.response(3)) as { result: { target: string; text: string } };
    expect(compiled.result.target).toBe('argo');
    expect(parse(compiled.result.text)).toMatchObject({ kind: 'Workflow' });

    engine.send({ id: 4, method: 'cancel', params: { runId } });
    expect(await engine.response(4)).toEqual({ id: 4, result: { cancelled: false } });

    engine.child.stdin?.end();
    expect((await exited).code).toBe(0);
  });

  it('answers bad requests with one-line errors and keeps serving', async () => {
    const { dir, notebook } = notebookFolder([{ source: 'x = 1', tags: ['step:only'] }]);
    const engine = new Engine(dir);
    const exited = collect(engine.child);
    engine.send('{not json');
    engine.send({ id: 5, method: 'explode', params: {} });
    engine.send({ id: 6, method: 'run', params: { notebookPath: notebook, parameters: { nope: 1 } } });
    engine.send({ id: 7, method: 'run', params: {} });
    engine.send({ id: 8, method: 'compile', params: { notebookPath: notebook, target: 'airflow' } });
    const bad = await engine.waitFor((message) => 'id' in message && message.id === null);
    expect(bad).toMatchObject({
      id: null,
      error: { kind: 'input', message: expect.stringMatching(/^request is not JSON/) },
    });
    expect(await engine.response(5)).toMatchObject({
      error: { kind: 'input', message: expect.stringContaining('unknown method "explode"') },
    });
    expect(await engine.response(6)).toEqual({
      id: 6,
      error: { kind: 'input', message: "unknown parameter 'nope': the notebook declares no parameters" },
    });
    expect(await engine.response(7)).toEqual({
      id: 7,
      error: { kind: 'input', message: 'params.notebookPath must be a non-empty string' },
    });
    expect(await engine.response(8)).toMatchObject({ error: { kind: 'input' } });
    for (const message of engine.messages) if ('error' in message) expect(message.error.message).not.toContain('\n');
    engine.child.stdin?.end();
    expect((await exited).code).toBe(0);
  });

  it('cancels a running run on request', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'import time\nprint("sleeping", flush=True)\ntime.sleep(120)\nx = 1', tags: ['step:slow'] },
    ]);
    const engine = new Engine(dir);
    const exited = collect(engine.child);
    engine.send({ id: 1, method: 'run', params: { notebookPath: notebook } });
    const runId = ((await engine.response(1)) as { result: { runId: string } }).result.runId;
    await engine.waitFor((message) => 'event' in message && message.event.type === 'step-log');
    engine.send({ id: 2, method: 'cancel', params: { runId } });
    expect(await engine.response(2)).toEqual({ id: 2, result: { cancelled: true } });
    const finished = await engine.waitFor((message) => 'event' in message && message.event.type === 'run-finished');
    expect(finished).toMatchObject({ event: { state: 'cancelled' } });
    engine.child.stdin?.end();
    expect((await exited).code).toBe(0);
  });
});
