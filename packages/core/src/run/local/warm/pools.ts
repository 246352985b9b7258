import type { StepSpec } from '../../../compile/step/spec.js';
import type { PipelineGraph } from '../../../graph/types.js';
import type { Notebook } from '../../../notebook/model.js';
import { importedModules, runtimeModules } from './imports.js';
import { WarmPool, type WarmPoolOptions } from './pool.js';

/**
 * The warm pools of one engine. A CLI run starts one and stops it at its end; an editor's engine (`keep`)
 * keeps a pool per notebook folder and Python between runs, restarting it when an imported file changed.
 */
export class WarmPools {
  private readonly kept = new Map<string, WarmPool>();

  constructor(private readonly keep: boolean) {}

  async acquire(options: WarmPoolOptions): Promise<WarmPool> {
    if (!this.keep) return new WarmPool(options);
    const key = JSON.stringify([options.python, options.runtimeDir, options.cwd]);
    const existing = this.kept.get(key);
    if (existing && !existing.closed && (await existing.staleFiles()).length === 0) return existing;
    existing?.close();
    const pool = new WarmPool(options);
    this.kept.set(key, pool);
    return pool;
  }

  release(pool: WarmPool): void {
    if (!this.keep) pool.close();
  }

  close(): void {
    for (const pool of this.kept.values()) pool.close();
    this.kept.clear();
  }
}

/** Whether runs use warm processes when the caller does not say: on, unless `CELLPIPE_WARM=0` (or `off`, `false`). */
export function warmByDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  return !['0', 'off', 'false', 'no'].includes((env.CELLPIPE_WARM ?? '').trim().toLowerCase());
}

/** The warm side of one run: the pool is acquired when the first step actually runs (a fully cached run starts none). */
export class RunWarmth {
  private pool: Promise<WarmPool> | undefined;

  constructor(
    private readonly pools: WarmPools,
    private readonly options: WarmPoolOptions,
    private readonly notebook: Notebook,
    private readonly graph: PipelineGraph,
  ) {}

  /** Every module the steps import, and what the runtime imports for them; parsed only once a step runs. */
  private allModules(): string[] {
    const sources = new Map(this.notebook.cells.map((cell) => [cell.id, cell.source]));
    const modules = new Set<string>();
    for (const step of this.graph.steps) {
      for (const code of step.code) importedModules(code.source).forEach((module) => modules.add(module));
      for (const id of step.cells) {
        const source = sources.get(id) ?? '';
        [...importedModules(source), ...runtimeModules(source)].forEach((module) => modules.add(module));
      }
    }
    return [...modules];
  }

  /** The pool to fork `spec`'s step from and the modules it imports. */
  async forStep(spec: StepSpec): Promise<{ pool: WarmPool; needs: string[] }> {
    this.pool ??= this.pools.acquire(this.options).then((pool) => {
      pool.preload(this.allModules());
      return pool;
    });
    const needs = new Set<string>();
    for (const action of spec.prepare)
      if (action.action === 'exec') importedModules(action.source).forEach((module) => needs.add(module));
    for (const cell of spec.cells) importedModules(cell.source).forEach((module) => needs.add(module));
    return { pool: await this.pool, needs: [...needs] };
  }

  async release(): Promise<void> {
    if (this.pool) this.pools.release(await this.pool);
  }
}
