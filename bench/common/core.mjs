// Loads the built core (packages/core/lib) and checks that the APIs a benchmark needs are exported.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './results.mjs';

export const cliPath = join(repoRoot, 'packages', 'cli', 'bin', 'cellpipe.js');

/** `@cellpipe/core/node` as built; throws one line naming every missing export. */
export async function loadCore(names) {
  const entry = join(repoRoot, 'packages', 'core', 'lib', 'node.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build with \`npx tsc -b packages/core\``);
  const core = await import(pathToFileURL(entry).href);
  const missing = names.filter((name) => typeof core[name] !== 'function');
  if (missing.length) throw new Error(`packages/core/lib/node.js does not export ${missing.join(', ')} (yet)`);
  return core;
}

/** A fresh folder under the system temp folder for one benchmark's generated files. */
export function benchTempDir(name) {
  return mkdtempSync(join(tmpdir(), `cellpipe-bench-${name}-`));
}

/**
 * Wall-clock and CPU milliseconds taken by `fn()`, and what it returned. On a shared machine the CPU time says what an
 * idle one would show: it leaves out the time the process waited for a core.
 */
export function timed(fn) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, value };
}
