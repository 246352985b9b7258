import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StepManifest, StepSpec } from '../../compile/step/spec.js';
import { dependenciesCurrent, fileFingerprint } from './dependencies.js';

/** Everything a step's outputs depend on; two runs with equal facts produce equal outputs. */
export interface CacheKeyFacts {
  spec: StepSpec;
  /** sha256 of each loaded input, by input name (from the producers' manifests). */
  inputHashes: Record<string, string>;
  runtimeVersion: string;
  pythonIdentity: string;
  /** Fingerprints of data files the step's code names (`referencedFiles`), by the name as written. */
  files?: Record<string, string>;
  /** Values of the environment variables the step's code names (`environmentRead`); null when unset. */
  environment?: Record<string, string | null>;
}

/**
 * sha256 over the step's code (cells, re-executed imports/defs, definitions), the content of its inputs,
 * the parameter values it reads, what it saves, the runtime and the Python. Paths and cell positions are left
 * out, so a new run folder or a markdown cell inserted above does not invalidate the cache.
 */
export function cacheKey(facts: CacheKeyFacts): string {
  const { spec } = facts;
  const material = {
    format: 1,
    step: spec.step,
    cells: spec.cells.map((cell) => cell.source),
    prepare: spec.prepare.map((action) =>
      action.action === 'exec'
        ? { exec: action.source, names: action.names }
        : { load: action.name, from: action.from, sha256: facts.inputHashes[action.name] ?? null },
    ),
    outputs: spec.outputs,
    metrics: spec.metrics,
    parameters: canonical(spec.parameters),
    definitions: Object.keys(spec.definitions)
      .sort()
      .map((name) => [name, spec.definitions[name]?.source]),
    runtime: facts.runtimeVersion,
    python: facts.pythonIdentity,
    files: Object.entries(facts.files ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    environment: canonical(facts.environment ?? {}),
    // A result that passed a weaker run-time check must not stand in for one held to a stronger check.
    unchanged: canonical(spec.unchanged ?? []),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

const STRING_LITERAL = /(["'])([^"'\n\\]{1,260})\1/g;

/**
 * Files a step reads are outside its inputs, so an edited `corpus.txt` would otherwise be served stale from
 * the cache. Every string literal in the step's code that names an existing file (relative to the notebook's
 * folder, or absolute) is fingerprinted by content (by size and times when big). A heuristic: it can add misses,
 * never hide a change to a file named literally. Files the step opens by computed names are recorded by the
 * runtime itself (the manifest's `dependencies`), checked on lookup.
 */
export function referencedFiles(spec: StepSpec, cwd: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const source of Private.sources(spec))
    for (const match of source.matchAll(STRING_LITERAL)) {
      const name = match[2] as string;
      if (name in files || !/[\w.]/.test(name)) continue;
      // Not a file name, or a file the step will create: nothing to fingerprint.
      const found = fileFingerprint(resolve(cwd, name));
      if (found) files[name] = found;
    }
  // The global RNG state a step continues is an input like its values (kernel-bridge/cellpipe/randomstate.py).
  if (spec.randomState?.dir)
    files[RANDOM_STATE_KEY] = fileFingerprint(join(spec.randomState.dir, RANDOM_STATE_FILE)) ?? 'missing';
  return files;
}

const RANDOM_STATE_FILE = 'random-state.pkl';
const RANDOM_STATE_KEY = '(random state)';

const ENVIRONMENT_READ = /\b(?:environ\s*\[\s*|environ\.get\s*\(\s*|getenv\s*\(\s*)(["'])([^"'\n\\]{1,200})\1/g;

/** The environment variables the step's code reads by literal name (`os.environ["X"]`, `.get("X")`, `getenv("X")`). */
export function environmentRead(spec: StepSpec, env: NodeJS.ProcessEnv = process.env): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  for (const source of Private.sources(spec))
    for (const match of source.matchAll(ENVIRONMENT_READ)) {
      const name = match[2] as string;
      values[name] = env[name] ?? null;
    }
  return values;
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` hash alike. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : inner,
  );
}

/** A cache entry: `<root>/<key>/out/` (the step's output folder with `manifest.json`) and its logs. */
export class StepCache {
  constructor(readonly root: string) {}

  entryDir(key: string): string {
    return join(this.root, key);
  }

  /** The cached manifest of a successful step, or undefined on a miss. */
  lookup(key: string): StepManifest | undefined {
    const manifestPath = join(this.entryDir(key), 'out', 'manifest.json');
    if (!existsSync(manifestPath)) return undefined;
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as StepManifest;
      if (manifest.status !== 'succeeded') return undefined;
      if (dependenciesCurrent(manifest.dependencies)) return manifest;
    } catch {
      return undefined;
    }
    // A module, package or data file the step read has changed since: the entry is stale for good.
    this.evict(key);
    return undefined;
  }

  /** Removes an entry: renamed away first, so no lookup ever sees half of it. */
  private evict(key: string): void {
    const doomed = join(this.root, `.stale-${key.slice(0, 16)}-${randomBytes(4).toString('hex')}`);
    try {
      renameSync(this.entryDir(key), doomed);
      rmSync(doomed, { recursive: true, force: true });
    } catch {
      // Another run evicted it first.
    }
  }

  /** Puts a cached entry's outputs and logs in a run's step folder (hard links: no bytes copied). */
  restore(key: string, stepDir: string): void {
    const entry = this.entryDir(key);
    linkTree(join(entry, 'out'), join(stepDir, 'out'));
    for (const log of ['stdout.log', 'stderr.log'])
      if (existsSync(join(entry, log))) linkOrCopy(join(entry, log), join(stepDir, log));
  }

  /** Saves a successful step's outputs and logs under `key`, all or nothing; a concurrent equal entry wins. */
  store(key: string, stepDir: string): void {
    mkdirSync(this.root, { recursive: true });
    const entry = this.entryDir(key);
    if (existsSync(entry)) return;
    const temp = join(this.root, `.tmp-${key.slice(0, 16)}-${randomBytes(4).toString('hex')}`);
    try {
      linkTree(join(stepDir, 'out'), join(temp, 'out'));
      for (const log of ['stdout.log', 'stderr.log'])
        if (existsSync(join(stepDir, log))) linkOrCopy(join(stepDir, log), join(temp, log));
      renameSync(temp, entry);
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    }
  }
}

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) linkTree(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile()) linkOrCopy(join(from, entry.name), join(to, entry.name));
  }
}

function linkOrCopy(from: string, to: string): void {
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    // Hard links fail across file systems (a runRoot on another mount); copying is the fallback.
    copyFileSync(from, to);
  }
}

namespace Private {
  export function sources(spec: StepSpec): string[] {
    return [
      ...spec.cells.map((cell) => cell.source),
      ...spec.prepare.flatMap((action) => (action.action === 'exec' ? [action.source] : [])),
    ];
  }
}
