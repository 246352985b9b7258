import type { CellFacts, StatementFacts } from '../analysis/cellFacts.js';
import type { ReceiverType } from '../analysis/purity.js';

/**
 * State that lives in imported modules rather than in notebook variables: configuration calls
 * (`pd.set_option`, `sklearn.set_config`, `warnings.filterwarnings`, `sys.path.append`, `os.environ[k] = v`,
 * `plt.rcParams[k] = v`) and side-effect imports (`from sklearn.experimental import enable_halving_search_cv`).
 * Each step starts in a fresh process, so later steps replay these statements in notebook order, as they do imports.
 */
export class ModuleState<Statement extends { statement: StatementFacts } = { statement: StatementFacts }> {
  private readonly readAnywhere = new Set<string>();
  private readonly replays: { located: Statement; step: string; pkg: string }[] = [];

  /** Names read anywhere in the notebook: an import none of whose names is read is there for its side effect. */
  collectReads(cells: CellFacts[]): void {
    for (const facts of cells) {
      for (const statement of facts.statements) {
        for (const event of statement.events) if (event.op === 'read') this.readAnywhere.add(event.name);
        for (const definition of statement.definitions) {
          for (const name of definition.facts.reads) this.readAnywhere.add(name);
          for (const method of Object.values(definition.methods ?? {}))
            for (const name of method.reads) this.readAnywhere.add(name);
        }
      }
    }
  }

  /** Records `located` (run by `step`) if later steps must replay it; `moduleOf` gives the module a name is bound to. */
  register(located: Statement, step: string, moduleOf: (name: string) => string | undefined): void {
    const pkg = this.sideEffectImport(located.statement) ?? ModuleState.configuredPackage(located.statement, moduleOf);
    if (pkg) this.replays.push({ located, step, pkg });
  }

  /** Replays for a step that uses `module`, recorded by other steps. */
  configurationOf(module: string, step: string): Statement[] {
    const pkg = ModuleState.topPackage(module);
    return this.replays.filter((entry) => entry.pkg === pkg && entry.step !== step).map((entry) => entry.located);
  }

  /** Replays of interpreter-wide state (`sys`, `os`, `warnings`, `logging`) every later step needs. */
  everywhere(step: string): Statement[] {
    return this.replays
      .filter((entry) => ModuleState.INTERPRETER.has(entry.pkg) && entry.step !== step)
      .map((entry) => entry.located);
  }

  private sideEffectImport(statement: StatementFacts): string | undefined {
    const writes = statement.events.flatMap((e) => (e.op === 'write' ? [e] : []));
    if (statement.kind !== 'module' || writes.length === 0) return undefined;
    if (writes.some((write) => this.readAnywhere.has(write.name) || !write.module)) return undefined;
    return ModuleState.topPackage(writes[0]?.module ?? '');
  }

  /** Packages whose state is the interpreter's: replayed in every later step. */
  private static readonly INTERPRETER: ReadonlySet<string> = new Set(['sys', 'os', 'warnings', 'logging', 'locale']);
  private static readonly CONFIGURING =
    /^(set|set_\w+|use|rc|filterwarnings|simplefilter|resetwarnings|basicConfig|setLevel|enable_\w+|disable_\w+|register_\w+|reset_option|putenv|chdir|setrecursionlimit|config_context)$/;

  /**
   * The package a top-level statement configures, if that is all it does: it binds no name and changes a module
   * attribute or calls a configuring function. Seeds are not replayed (draws made in between would be repeated).
   */
  static configuredPackage(
    statement: StatementFacts,
    moduleOf: (name: string) => string | undefined,
  ): string | undefined {
    if (statement.events.some((e) => e.op === 'write' && e.name !== '_')) return undefined;
    for (const event of statement.events) {
      if (event.op !== 'mutate' || !event.path) continue;
      const module = moduleOf(event.name);
      if (!module) continue;
      const how = event.how ?? '';
      const qualified = [module, ...event.path.split('.').slice(1)].join('.');
      if (/seed/i.test(how) || qualified === 'random' || qualified.startsWith('numpy.random')) continue;
      if (how === '=' || event.path.includes('.') || ModuleState.CONFIGURING.test(how))
        return ModuleState.topPackage(module);
    }
    return undefined;
  }

  /** Whether calling the dotted function `qualified` seeds or draws from the global RNG of `random` or `numpy.random`. */
  static usesGlobalRandom(qualified: string): boolean {
    const match = /^(?:random|numpy\.random)\.([A-Za-z_]\w*)$/.exec(qualified);
    return match !== null && !ModuleState.RANDOM_CONSTRUCTORS.has(match[1] ?? '');
  }

  /** Names in `random`/`numpy.random` that make their own generator or only read: not uses of the global state. */
  private static readonly RANDOM_CONSTRUCTORS: ReadonlySet<string> = new Set(
    `Random SystemRandom default_rng RandomState Generator SeedSequence BitGenerator PCG64 PCG64DXSM MT19937 Philox SFC64
    getstate get_state`.split(/\s+/),
  );

  static topPackage(module: string): string {
    return module.replace(/^\.+/, '').split('.')[0] ?? '';
  }

  /** What a builtin constructor makes (`set()` → set). */
  static builtinType(name: string): ReceiverType | undefined {
    if (name === 'set') return 'set';
    if (name === 'list') return 'list';
    if (name === 'dict') return 'dict';
    return undefined;
  }

  /** What a library function's result is, by its dotted path (`numpy.random.default_rng` → rng). */
  static libraryType(qualified: string): ReceiverType | undefined {
    if (/^random\.(Random|SystemRandom)$|^numpy\.random\.(default_rng|RandomState|Generator)$/.test(qualified))
      return 'rng';
    if (qualified === 'collections.deque') return 'list';
    if (/^collections\.(defaultdict|OrderedDict|Counter)$/.test(qualified)) return 'dict';
    if (/^numpy\./.test(qualified)) return 'ndarray';
    if (/^(pandas|polars)\./.test(qualified)) return 'array';
    return undefined;
  }
}
