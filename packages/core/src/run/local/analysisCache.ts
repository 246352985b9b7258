import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeNotebook } from '../../graph/build.js';
import type { PipelineGraph } from '../../graph/types.js';
import type { Notebook } from '../../notebook/model.js';
import { writeJsonAtomic } from './atomic.js';

/**
 * The analysis of a notebook kept beside its runs (`.cellpipe/cache/analysis/`, one file per notebook), keyed by the
 * notebook's text and the analyser's own code: re-running an unchanged notebook does not parse it again.
 * `keep()` saves a fresh analysis; the caller calls it once the run folder exists (bad input creates no folder).
 */
export function analyzeWithCache(
  notebook: Notebook,
  text: string,
  runRoot: string,
): { graph: PipelineGraph; keep: () => void } {
  const fingerprint = Private.analyserFingerprint();
  if (!fingerprint) return { graph: analyzeNotebook(notebook), keep: () => undefined };
  const digest = (...parts: string[]): string => createHash('sha256').update(parts.join('\0')).digest('hex');
  const key = digest(fingerprint, notebook.name, text);
  const path = join(runRoot, 'cache', 'analysis', `${digest(notebook.name).slice(0, 32)}.json`);
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { key?: string; graph?: PipelineGraph };
    if (saved.key === key && saved.graph) return { graph: saved.graph, keep: () => undefined };
  } catch {
    // Not analysed yet, or unreadable: analyse afresh.
  }
  const graph = analyzeNotebook(notebook);
  const keep = (): void => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeJsonAtomic(path, { key, graph });
    } catch {
      // A read-only folder still runs; it only analyses every time.
    }
  };
  return { graph, keep };
}

namespace Private {
  let fingerprint: string | undefined;

  /**
   * A digest of the analysis code (this package's `analysis/`, `graph/`, `notebook/`, `tags/`), compiled or not; in
   * a one-file bundle (the editors' engines) that file's own text; '' when neither can be read (no caching then).
   */
  export function analyserFingerprint(): string {
    fingerprint ??= folderFingerprint() ?? bundleFingerprint() ?? '';
    return fingerprint;
  }

  function folderFingerprint(): string | undefined {
    try {
      const hash = createHash('sha256');
      for (const folder of ['analysis', 'graph', 'notebook', 'tags']) {
        const dir = fileURLToPath(new URL(`../../${folder}/`, import.meta.url));
        for (const name of readdirSync(dir).sort()) {
          if (!/\.(js|ts)$/.test(name) || /\.test\.|\.d\.ts$/.test(name)) continue;
          hash
            .update(name)
            .update('\0')
            .update(readFileSync(join(dir, name)));
        }
      }
      return hash.digest('hex');
    } catch {
      return undefined;
    }
  }

  function bundleFingerprint(): string | undefined {
    try {
      return createHash('sha256')
        .update(readFileSync(fileURLToPath(import.meta.url)))
        .digest('hex');
    } catch {
      return undefined;
    }
  }
}
