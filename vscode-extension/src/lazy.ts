import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Engine = typeof import('./engine.js');
type GraphLayout = typeof import('./graphLayout.js');

const loaded = new Map<string, Promise<unknown>>();

/** Imports a bundle that esbuild wrote beside this one (dist/), once. */
function sibling<T>(file: string): Promise<T> {
  let module = loaded.get(file);
  if (!module) {
    module = import(pathToFileURL(join(__dirname, file)).href);
    loaded.set(file, module);
  }
  return module as Promise<T>;
}

/** Analysis, compilers and the local run engine (about 150 ms to load): needed after activation, not for it. */
export function loadEngine(): Promise<Engine> {
  return sibling<Engine>('engine.cjs');
}

/** elkjs (about half a second to load): needed by the graph view only. */
export function loadGraphLayout(): Promise<GraphLayout> {
  return sibling<GraphLayout>('graphLayout.cjs');
}
