import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compileArgo } from '../compile/argo/compile.js';
import { compileKfp } from '../compile/kfp/compile.js';
import { runtimeFiles } from '../compile/step/runtimeFiles.js';
import { analyzeNotebook, graphErrors, graphToJson } from '../index.js';
import type { Notebook } from '../notebook/model.js';
import { readNotebook } from '../notebook/read.js';
import { listRunRecords } from '../run/local/record.js';
import type { RunBackend, RunHandle } from '../run/types.js';
import { ArgoBackend } from '../run/argo/backend.js';
import type { EngineError, EngineMessage, EngineMethod, EngineMethods, RequestId } from './protocol.js';

export interface EngineServerOptions {
  backend: RunBackend;
  /** Writes one protocol message (the caller encodes it as one NDJSON line). */
  send(message: EngineMessage): void;
}

const METHODS: ReadonlySet<string> = new Set<EngineMethod>(['run', 'cancel', 'runs', 'analyze', 'compile']);
const INPUT_ERRORS: ReadonlySet<string> = new Set(['NotebookInputError', 'RunInputError', 'ProtocolError']);

class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** The engine behind `cellpipe serve --stdio`: one request line in, one response out, run events in between. */
export class EngineServer {
  private readonly runs = new Map<string, RunHandle>();
  private readonly forwarding = new Set<Promise<void>>();

  constructor(private readonly options: EngineServerOptions) {}

  /** Handles one request line; never throws: every problem becomes an error response. */
  async handleLine(line: string): Promise<void> {
    let id: RequestId | null = null;
    try {
      const request = parseRequest(line, (requestId) => (id = requestId));
      const result = await this.dispatch(request.method, request.params);
      this.options.send({ id, result });
    } catch (error) {
      const kind: EngineError['kind'] = INPUT_ERRORS.has((error as Error).name) ? 'input' : 'internal';
      const message = ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
      this.options.send({ id, error: { message, kind } });
    }
  }

  /** Cancels every run still going and waits until their last events were sent. */
  async close(): Promise<void> {
    for (const handle of this.runs.values()) handle.cancel();
    await Promise.all([...this.forwarding]);
  }

  private async dispatch(method: EngineMethod, params: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case 'run':
        return this.startRun(params as unknown as EngineMethods['run']['params']);
      case 'cancel': {
        const runId = requireString(params, 'runId');
        const handle = this.runs.get(runId);
        handle?.cancel();
        return { cancelled: handle !== undefined };
      }
      case 'runs': {
        const notebookPath = resolve(requireString(params, 'notebookPath'));
        return { runs: listRunRecords(join(dirname(notebookPath), '.cellpipe')) };
      }
      case 'analyze':
        return graphToJson(analyzeNotebook(notebookFrom(params)));
      case 'compile':
        return compile(params);
    }
  }

  private startRun(params: EngineMethods['run']['params']): { runId: string } {
    requireString(params as unknown as Record<string, unknown>, 'notebookPath');
    if (params.backend !== undefined && params.backend !== 'local' && params.backend !== 'argo')
      throw new ProtocolError(`params.backend must be 'local' or 'argo', got ${JSON.stringify(params.backend)}`);
    // The cluster backend is core's too: the editors only pass the choice and its settings along.
    const backend =
      params.backend === 'argo'
        ? new ArgoBackend({ context: params.context, namespace: params.namespace, image: params.image })
        : this.options.backend;
    const handle = backend.start({
      notebookPath: params.notebookPath,
      parameters: params.parameters,
      jobs: params.jobs,
      python: params.python,
      cache: params.cache,
      warm: params.warm,
    });
    this.runs.set(handle.runId, handle);
    const forward = (async () => {
      for await (const event of handle.events) this.options.send({ event });
      await handle.done;
      this.runs.delete(handle.runId);
    })();
    this.forwarding.add(forward);
    void forward.finally(() => this.forwarding.delete(forward));
    return { runId: handle.runId };
  }
}

/** Validates a request line; `onId` learns the id as soon as it is known, so later errors can answer it. */
function parseRequest(
  line: string,
  onId: (id: RequestId) => void,
): { id: RequestId; method: EngineMethod; params: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ProtocolError(`request is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtocolError('request must be a JSON object');
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof id !== 'number' && typeof id !== 'string')
    throw new ProtocolError("request needs an 'id' (number or string)");
  onId(id);
  if (typeof method !== 'string' || !METHODS.has(method))
    throw new ProtocolError(`unknown method ${JSON.stringify(method)} (methods: ${[...METHODS].join(', ')})`);
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params)))
    throw new ProtocolError("'params' must be an object");
  return { id, method: method as EngineMethod, params: (params ?? {}) as Record<string, unknown> };
}

function requireString(params: Record<string, unknown>, field: string): string {
  const value = params[field];
  if (typeof value !== 'string' || value.length === 0)
    throw new ProtocolError(`params.${field} must be a non-empty string`);
  return value;
}

/** The request's notebook: `params.notebook` (unsaved editor content) or the file at `params.notebookPath`. */
function notebookFrom(params: Record<string, unknown>): Notebook {
  const notebookPath = requireString(params, 'notebookPath');
  const text = typeof params.notebook === 'string' ? params.notebook : readText(notebookPath);
  return readNotebook(text, notebookPath);
}

function compile(params: Record<string, unknown>): EngineMethods['compile']['result'] {
  const target = params.target;
  if (target !== 'argo' && target !== 'kfp')
    throw new ProtocolError(`params.target must be 'argo' or 'kfp', got ${JSON.stringify(target)}`);
  const options = params.options ?? {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new ProtocolError('params.options must be an object');
  const notebook = notebookFrom(params);
  const graph = analyzeNotebook(notebook);
  const errors = graphErrors(graph);
  if (errors.length > 0) throw new ProtocolError(errors.map((error) => error.message).join('; '));
  const compileOptions = { ...options, runtimeFiles: runtimeFiles() };
  const text =
    target === 'argo' ? compileArgo(notebook, graph, compileOptions) : compileKfp(notebook, graph, compileOptions);
  return { target, text };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProtocolError(
      `cannot read notebook ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
