import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the Python step runtime (the `cellpipe` package from kernel-bridge/) lives on this machine:
 * `CELLPIPE_RUNTIME_DIR`, else a `runtime/` folder shipped beside the built core (npm package, VS Code bundle),
 * else the repository's `kernel-bridge/`. The returned folder contains `cellpipe/__init__.py`.
 */
export function runtimeDir(): string {
  const candidates: string[] = [];
  if (process.env.CELLPIPE_RUNTIME_DIR) candidates.push(process.env.CELLPIPE_RUNTIME_DIR);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    candidates.push(join(dir, 'runtime'), join(dir, 'kernel-bridge'));
    dir = dirname(dir);
  }
  const found = candidates.find((candidate) => existsSync(join(candidate, 'cellpipe', '__init__.py')));
  if (!found)
    throw new Error('cellpipe step runtime not found: set CELLPIPE_RUNTIME_DIR to the folder holding cellpipe/');
  return found;
}

/** The runtime's Python sources (tests excluded), by path relative to `runtimeDir()`, to embed in compiled workflows. */
export function runtimeFiles(): Record<string, string> {
  const root = runtimeDir();
  const files: Record<string, string> = {};
  for (const path of runtimeSourcePaths(root)) files[path] = readFileSync(join(root, path), 'utf8');
  return files;
}

/** The runtime's Python source files (tests excluded) under `root`, relative to it, in a stable order. */
export function runtimeSourcePaths(root: string): string[] {
  const paths: string[] = [];
  const walk = (dir: string): void => {
    // Code-unit order: stable everywhere, and localeCompare's first call costs a run start ~15 ms of ICU set-up.
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '__pycache__') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.py') && !entry.name.startsWith('test_'))
        paths.push(relative(root, path));
    }
  };
  walk(join(root, 'cellpipe'));
  return paths;
}
