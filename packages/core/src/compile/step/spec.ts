/**
 * What the Python step runtime (kernel-bridge/cellpipe_runtime) is given to run one step.
 * Serialized as JSON; the same document drives local runs and containers on a cluster.
 */
export interface StepSpec {
  /** Format version of this document. */
  version: 1;
  pipeline: string;
  step: string;
  /** Ordered actions that prepare the namespace before the cells run. */
  prepare: PrepareAction[];
  cells: StepCell[];
  /** Names to save after the cells ran. */
  outputs: string[];
  /** The step runs code the analysis cannot see into: an output its cells did not bind is saved as unbound. */
  dynamic?: true;
  /** Metric names to read from the namespace after the cells ran (`pipeline-metrics`). */
  metrics: string[];
  /** Parameter values bound as globals before the cells run. */
  parameters: Record<string, unknown>;
  /** Python source of parameter values written as literals; the runtime binds `ast.literal_eval(source)` instead. */
  parameterSources?: Record<string, string>;
  /**
   * The step uses the global RNGs (`random`, `numpy.random`): it saves their state after its cells
   * (`random-state.pkl` in its output folder), having first restored the state saved in `dir`, if given.
   */
  randomState?: { from?: string; dir?: string };
  /**
   * On a cluster, files passed between steps by path: `import` copies `<dir>/files/<path>` to `<path>` before the
   * cells, `export` copies each `<path>` the cells wrote to `files/<path>` in the output folder after them.
   */
  files?: { import?: { path: string; from: string; dir: string }[]; export?: string[] };
  /**
   * Every top-level `def`/`class` seen in earlier steps, by name, so that unpickling a value
   * whose type lives in `__main__` can define that type on demand.
   */
  definitions: Record<
    string,
    {
      source: string;
      cellId: string;
      /** 0-based notebook index of `cellId`, so tracebacks through this code name the cell by index. */
      cellIndex?: number;
      /** 1-based line of the statement's first line within its cell, so traceback lines match the notebook. */
      line?: number;
    }
  >;
  /**
   * The run-time check (`compile/step/unchanged.ts`): names this step must leave as they are, because a later
   * step (`readBy`) reads them as `from` left them. Absent in specs of older compilers: nothing is checked.
   */
  unchanged?: UnchangedName[];
}

/** A name a step must not rebind, mutate or delete; a later step reads it from an earlier producer. */
export interface UnchangedName {
  name: string;
  /** The producer whose value the reader gets: a step, or `(parameters)`. */
  from: string;
  /** The first later step that reads it. */
  readBy: string;
}

export interface StepCell {
  id: string;
  /** 0-based notebook index, used to map tracebacks back to the notebook. */
  index: number;
  source: string;
}

export type PrepareAction =
  /** Re-execute an import, def or class statement from an earlier cell. */
  | {
      action: 'exec';
      names: string[];
      source: string;
      cellId: string;
      cellIndex: number;
      /** 1-based line of the statement's first line within its cell, so traceback lines match the notebook. */
      line?: number;
    }
  /** Load a value saved by an earlier step; `dir` is that step's output folder (it holds `manifest.json`). */
  | { action: 'load'; name: string; from: string; dir: string };

/** Written by the runtime next to the outputs: `<outputDir>/manifest.json`. */
export interface StepManifest {
  step: string;
  outputs: Record<
    string,
    {
      /** Absent for an output a `dynamic` step left unbound (`unbound: true`): the consumer leaves the name unbound. */
      file?: string;
      unbound?: true;
      serializer?: string;
      type: string;
      sha256: string;
      bytes: number;
      /** Set when outputs share objects: they are saved together in `file` (a pickle of `{name: value}`), this one under `key`. */
      key?: string;
      /** The step outputs this value is the very object of (it was loaded as them), so a consumer loading both binds one object. */
      sameAs?: { step: string; name: string }[];
    }
  >;
  metrics: Record<
    string,
    import('../../events/runEvent.js').MetricValue | import('../../events/runEvent.js').MetricValue[]
  >;
  status: 'succeeded' | 'failed';
  /** What the outputs depend on beyond the spec and inputs (modules, packages, data files read), for the cache. */
  dependencies?: StepDependencies;
  error?: { type: string; message: string; cellId?: string; cellIndex?: number; line?: number; traceback: string };
}

/**
 * What a step's outputs depended on beyond its spec and inputs, as the runtime recorded it
 * (kernel-bridge/cellpipe/dependencies.py): every local module, installed package and data file it read.
 */
export interface StepDependencies {
  python?: string;
  /** `sha256:<hex>` or `stat:<size>:<mtimeNs>:<ctimeNs>`, by absolute path. */
  files: Record<string, string>;
  /** Versions of the installed packages it imported, for people reading the manifest. */
  versions?: Record<string, string>;
}
