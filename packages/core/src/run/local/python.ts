import { createHash } from 'node:crypto';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * The Python a run uses: `--python`, else `CELLPIPE_PYTHON`, else the active virtualenv or conda env
 * (as `jupyter` and `pip` would), else `python3` from PATH.
 */
export function resolvePython(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return absolutePath(explicit);
  if (env.CELLPIPE_PYTHON) return absolutePath(env.CELLPIPE_PYTHON);
  for (const prefix of [env.VIRTUAL_ENV, env.CONDA_PREFIX]) {
    if (!prefix) continue;
    const candidate = join(prefix, 'bin', 'python');
    if (isExecutable(candidate)) return candidate;
  }
  return 'python3';
}

/** A relative path (`.venv/bin/python`) means the caller's folder, not the notebook folder steps run in. */
function absolutePath(command: string): string {
  return command.includes('/') && !isAbsolute(command) ? resolve(command) : command;
}

/** The absolute path a command name runs, as the OS would find it on PATH; undefined when none. */
export function whichExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? resolve(command) : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A cheap fingerprint of a Python installation for cache keys, without starting Python: the path as
 * invoked (a venv's `bin/python` differs from the interpreter it links to, and its packages differ too)
 * plus the real interpreter's path, size and modification time.
 */
export function pythonIdentity(python: string, env: NodeJS.ProcessEnv = process.env): string {
  const path = whichExecutable(python, env);
  if (!path) return `missing:${python}`;
  try {
    const real = realpathSync(path);
    const stat = statSync(real);
    return createHash('sha256')
      .update(JSON.stringify([isAbsolute(path) ? path : resolve(path), real, stat.size, stat.mtimeMs]))
      .digest('hex');
  } catch {
    return `missing:${python}`;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
