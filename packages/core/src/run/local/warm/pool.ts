import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { LineSplitter } from '../../../events/ndjson.js';
import { stepEnvironment, trackGroup, untrackGroup, type LaunchedStep } from '../stepProcess.js';

export interface WarmPoolOptions {
  python: string;
  runtimeDir: string;
  /** The notebook's folder: the pool imports from it as steps do. */
  cwd: string;
}

export interface WarmLaunchRequest {
  specPath: string;
  outDir: string;
  cwd: string;
  /** Modules the step imports: the pool imports them (once) before forking it. */
  needs: string[];
}

export type WarmLaunch = { launched: LaunchedStep } | { refused: string };

type Exit = Awaited<LaunchedStep['exited']>;
interface Reply {
  reply: 'ready' | 'started' | 'refused' | 'exited' | 'checked';
  id?: number;
  pid?: number;
  reason?: string;
  unsafe?: string | null;
  code?: number | null;
  signal?: NodeJS.Signals | null;
  stale?: string[];
}

/**
 * A `python -m cellpipe.warm` fork server: it imports what the steps import once, then forks one fresh,
 * isolated process per step. Each child's stdout, stderr and events arrive over a per-step Unix socket.
 */
export class WarmPool {
  /** Resolves to why the pool cannot fork at all, or undefined once it is serving. */
  readonly ready: Promise<string | undefined>;
  private readonly server: ChildProcess;
  private readonly socketDir: string;
  private readonly requested = new Set<string>();
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private nextId = 1;
  private lastStderrLine = '';
  private stopped: string | undefined;

  constructor(readonly options: WarmPoolOptions) {
    this.socketDir = mkdtempSync(join(tmpdir(), 'cellpipe-warm-'));
    this.server = spawn(options.python, ['-m', 'cellpipe.warm'], {
      cwd: options.cwd,
      env: { ...stepEnvironment(options.runtimeDir), CELLPIPE_WARM_FD: '3' },
      // Its own group, like the steps: Ctrl-C reaches the engine, which cancels the run, not the pool.
      detached: true,
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    });
    const pid = this.server.pid;
    if (pid !== undefined) trackGroup(pid);
    this.server.stderr?.setEncoding('utf8');
    this.server.stderr?.on('data', (text: string) => {
      const last = text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .pop();
      if (last) this.lastStderrLine = last;
    });
    this.server.stdin?.on('error', () => undefined);
    let announce: (unsafe: string | undefined) => void = () => undefined;
    this.ready = new Promise((resolve) => (announce = resolve));
    const splitter = new LineSplitter();
    const replies = this.server.stdio[3] as Readable;
    replies.setEncoding('utf8');
    replies.on('data', (chunk: string) => {
      for (const line of splitter.push(chunk)) {
        const reply = JSON.parse(line) as Reply;
        if (reply.reply === 'ready') announce(reply.unsafe ?? undefined);
        else if (reply.id !== undefined) this.waiting.get(reply.id)?.(reply);
      }
    });
    const onStop = (why: string): void => {
      if (pid !== undefined) untrackGroup(pid);
      this.stopped ??= `the warm pool stopped: ${this.lastStderrLine || why}`;
      announce(this.stopped);
      for (const deliver of [...this.waiting.values()]) deliver({ reply: 'refused', reason: this.stopped });
      rmSync(this.socketDir, { recursive: true, force: true });
    };
    this.server.on('error', (error) => onStop(`cannot start Python '${options.python}': ${error.message}`));
    this.server.on('close', (code, signal) => onStop(signal ? `killed by ${signal}` : `exit code ${code}`));
    // Until it is ready the pool is awaited: it must keep the engine's process alive till then.
    void this.ready.then(() => this.idle());
  }

  /** Asks the pool to import these modules (once each), in the background. */
  preload(modules: Iterable<string>): void {
    const fresh = [...modules].filter((module) => !this.requested.has(module));
    if (fresh.length === 0) return;
    fresh.forEach((module) => this.requested.add(module));
    this.send({ op: 'preload', modules: fresh });
  }

  /** Files of modules the pool imported that changed since: a pool kept between runs is stale then. */
  async staleFiles(): Promise<string[]> {
    const reply = await this.request({ op: 'check' });
    return reply.stale ?? [];
  }

  /** Forks one step; a refusal (unsafe to fork, a needed import failed, pool gone) says why. */
  async launch(request: WarmLaunchRequest): Promise<WarmLaunch> {
    const unsafe = await this.ready;
    if (unsafe) return { refused: unsafe };
    const id = this.nextId++;
    const streams = [new PassThrough(), new PassThrough(), new PassThrough()] as const;
    const socketPath = join(this.socketDir, `${id}.sock`);
    const listener = createServer((connection: Socket) => {
      connection.once('data', (first: Buffer) => {
        const stream = streams[(first[0] ?? 0) - 0x31];
        if (!stream) return connection.destroy();
        stream.write(first.subarray(1));
        connection.pipe(stream);
      });
    });
    const listenError = await new Promise<Error | undefined>((resolve) =>
      listener.once('error', resolve).listen(socketPath, () => resolve(undefined)),
    );
    if (listenError) return { refused: `cannot listen on ${socketPath}: ${listenError.message}` };

    let deliverExit: (exit: Exit) => void = () => undefined;
    const exit = new Promise<Exit>((resolve) => (deliverExit = resolve));
    const started = await this.request({ op: 'fork', id, ...forkFields(request), socket: socketPath }, (reply) => {
      if (reply.reply === 'exited') deliverExit({ code: reply.code ?? null, signal: reply.signal ?? null });
      else if (reply.reply === 'refused') deliverExit({ code: null, signal: null, error: reply.reason });
    });
    if (started.reply !== 'started' || started.pid === undefined) {
      listener.close();
      this.forget(id);
      return { refused: started.reason ?? 'the warm pool did not start the step' };
    }
    const exited = Promise.all([exit, ...streams.map((stream) => finished(stream).catch(() => undefined))]).then(
      ([result]) => {
        listener.close();
        this.forget(id);
        return result;
      },
    );
    return { launched: { pid: started.pid, stdout: streams[0], stderr: streams[1], events: streams[2], exited } };
  }

  get closed(): boolean {
    return this.stopped !== undefined;
  }

  /** Stops the pool; steps it forked run on until they end or are stopped themselves. */
  close(): void {
    this.stopped ??= 'the warm pool was closed';
    this.server.stdin?.end();
    rmSync(this.socketDir, { recursive: true, force: true });
  }

  private send(request: Record<string, unknown>): void {
    (this.server.stdin as Writable | null)?.write(JSON.stringify(request) + '\n');
  }

  /** Sends a request and resolves with its first reply; `onLater` gets the replies after that one. */
  private request(request: Record<string, unknown>, onLater?: (reply: Reply) => void): Promise<Reply> {
    if (this.stopped) return Promise.resolve({ reply: 'refused', reason: this.stopped });
    const id = (request.id as number | undefined) ?? this.nextId++;
    return new Promise((resolve) => {
      let first = true;
      this.waiting.set(id, (reply) => {
        if (first) {
          first = false;
          resolve(reply);
          if (!onLater) this.forget(id);
        } else onLater?.(reply);
      });
      this.server.ref();
      this.send({ ...request, id });
    });
  }

  private forget(id: number): void {
    this.waiting.delete(id);
    this.idle();
  }

  /** An idle pool must not keep the engine's process alive. */
  private idle(): void {
    if (this.waiting.size > 0) return;
    this.server.unref();
    for (const stream of [this.server.stdin, this.server.stderr, this.server.stdio[3]])
      (stream as (Writable & { unref?: () => void }) | null)?.unref?.();
  }
}

function forkFields(request: WarmLaunchRequest): Record<string, unknown> {
  return { spec: request.specPath, out: request.outDir, cwd: request.cwd, needs: request.needs };
}
