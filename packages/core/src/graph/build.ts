import { cellLabel } from '../notebook/cellLabel.js';
import type { Notebook, NotebookCell } from '../notebook/model.js';
import {
  analyzeCellSource,
  type CellFacts,
  type DefinitionFacts,
  type FactEvent,
  type StatementFacts,
} from '../analysis/cellFacts.js';
import { LiteralError, parseParameterAssignments } from '../analysis/literal.js';
import {
  BUILTINS,
  PURE_DECORATORS,
  functionMutatesArguments,
  mayBeGenerator,
  methodMutatesReceiver,
  type ReceiverType,
} from '../analysis/purity.js';
import { ModuleState } from './moduleState.js';
import { mergeStepSettings, parseCellTags, stepSettingsOf } from '../tags/parse.js';
import { assignCells, oneLine, pipelineName, type StepMembership } from './membership.js';
import type {
  AnalysisWarning,
  CodeDependency,
  InputKind,
  ParameterValue,
  PipelineGraph,
  PipelineStep,
  StepInput,
} from './types.js';

/** Per-cell facts by source text; the editors keep one across edits so only changed cells are re-parsed. */
export type CellFactsCache = Map<string, CellFacts>;

/** Static analysis of a whole notebook. Never throws for cell content: problems become `warnings`. */
export function analyzeNotebook(notebook: Notebook, cache: CellFactsCache = new Map()): PipelineGraph {
  return new Private.GraphBuilder(notebook, cache).build();
}

/** The warnings that block compiling and running (the CLI exits 2 when there is any). */
export function graphErrors(graph: PipelineGraph): AnalysisWarning[] {
  return graph.warnings.filter((warning) => warning.severity === 'error');
}

/** The `cellpipe graph --json` document. */
export function graphToJson(graph: PipelineGraph): object {
  return {
    name: graph.name,
    steps: graph.steps.map((step) => ({
      name: step.name,
      displayName: step.displayName,
      cells: step.cells,
      after: step.after,
      inputs: step.inputs,
      outputs: step.outputs,
      code: step.code.map((dep) => ({ names: dep.names, kind: dep.kind, from: dep.from, cellId: dep.cellId })),
      parameters: step.parameters,
      metrics: step.metrics,
      settings: step.settings,
      ...(step.files ? { files: step.files } : {}),
      ...(step.randomState ? { randomState: step.randomState } : {}),
      ...(step.dynamic ? { dynamic: step.dynamic } : {}),
    })),
    parameters: graph.parameters,
    warnings: graph.warnings,
  };
}

namespace Private {
  interface Located {
    statement: StatementFacts;
    cell: NotebookCell;
    /** Order key: position of the statement in the notebook. */
    order: number;
  }

  /** Who last bound a name, in notebook order. */
  interface Producer {
    /** Producing step; null for `imports`/`functions` cells, which every step runs. */
    step: string | null;
    kind: InputKind | 'parameter';
    at?: Located;
    definition?: DefinitionFacts;
    deleted?: boolean;
    /** For values: functions that may run when the value is called (lambdas, closures returned by user functions). */
    callable?: DefinitionFacts['facts'][];
    /** For values that may be instances of user classes: the classes' methods, which operators and attribute use run. */
    methods?: DefinitionFacts['facts'][];
    /** For values: what the object is, when how it was made tells (decides what its methods do). */
    type?: ReceiverType;
    /** For imports: the dotted module path bound (`numpy` for `np`). */
    module?: string;
    /** For values that may be instances of user classes: the `class` statements, which a consumer must run first. */
    classes?: Located[];
  }

  interface StepState {
    member: StepMembership;
    inputs: Map<string, StepInput>;
    /** The producer record each value input was read as: which version of the name the step loads. */
    inputVersions: Map<string, Producer>;
    code: Map<number, Located>;
    parameters: Set<string>;
    metrics: string[];
    outputs: Set<string>;
    after: Set<string>;
    reported: Set<string>;
    fileReads: Map<string, string>;
    fileWrites: Set<string>;
    /** Set when the step seeds or draws from the global RNGs: the earlier step whose RNG state it continues. */
    randomState?: { from?: string };
    dynamic?: true;
  }

  const where = (cell: NotebookCell): string => cellLabel(cell.index, cell.id);

  export class GraphBuilder {
    private readonly warnings: AnalysisWarning[] = [];
    private readonly producers = new Map<string, Producer>();
    private readonly aliases = new Map<string, Set<string>>();
    private readonly holders = new Map<string, Set<string>>();
    /** For a value version, the versions of other names it was made holding (`model = make_pipeline(scaler)`). */
    private readonly heldVersions = new Map<Producer, Set<Producer>>();
    private readonly skippedWriters = new Map<string, NotebookCell>();
    private readonly parameters: Record<string, ParameterValue> = {};
    private readonly parameterSources: Record<string, string> = {};
    private readonly states = new Map<string, StepState>();
    // Lookups by Kubernetes name and by cell, so that building a step stays linear in its own size.
    private readonly stateByName = new Map<string, StepState>();
    private readonly stepOfCell = new Map<NotebookCell, string>();
    private readonly prelude: Located[] = [];
    /** Top-level imports, `def`s and `class`es, with the functions they bind. */
    private readonly definitions: { dependency: CodeDependency; functions: DefinitionFacts[] }[] = [];
    /** Functions whose `def` evaluated notebook state: they travel as values, so they are not defined on demand. */
    private readonly valueFunctions = new Set<DefinitionFacts>();
    /** `from m import *` statements in step cells, in notebook order: every later step re-executes them. */
    private readonly starImports: { located: Located; step: string }[] = [];
    /** Class method name → effects, over every class defined so far. */
    private readonly methods = new Map<string, DefinitionFacts['facts'][]>();
    private fallback?: Producer;
    /** Module configuration and side-effect imports that later steps replay; global RNG state. */
    private readonly moduleState = new ModuleState<Located>();
    /** Last step that wrote each file path, and the steps that read it since. */
    private readonly fileWriters = new Map<string, string>();
    private readonly fileReaders = new Map<string, Set<string>>();
    /** Classes changed after their definition: state a re-executed `class` statement would not have. */
    private readonly changedClasses = new Map<string, { cell: NotebookCell; line: number; step: string }>();
    /** Names that may be numpy views of another array (`v = a[:2]`), by the array's name. */
    private readonly views = new Map<string, string>();
    /** Arrays a step changed through a view it loaded (a copy there): the change never reaches them. */
    private readonly brokenViews = new Map<string, { view: string; cell: NotebookCell; line: number; step: string }>();
    /** The last step that used the global RNGs (`random`, `numpy.random`), whose state the next such step continues. */
    private lastRandomStep?: string;
    private current?: StepState;
    private cell?: NotebookCell;

    constructor(
      private readonly notebook: Notebook,
      private readonly cache: CellFactsCache,
    ) {}

    build(): PipelineGraph {
      const membership = assignCells(this.notebook);
      this.warnings.push(...membership.warnings);
      const python = this.notebook.language === 'python' || this.notebook.language === '';
      if (!python) {
        this.warnings.push({
          code: 'not-python',
          message: `${this.notebook.name}: kernel language is '${this.notebook.language}'; cellpipe only analyses Python, so no data edges are inferred`,
        });
      }
      const byDisplayName = new Map(membership.steps.map((step) => [step.displayName, step]));
      this.checkNames(membership.steps);
      for (const step of membership.steps) {
        this.states.set(step.displayName, {
          member: step,
          inputs: new Map(),
          inputVersions: new Map(),
          code: new Map(),
          parameters: new Set(),
          metrics: [],
          outputs: new Set(),
          after: new Set(),
          reported: new Set(),
          fileReads: new Map(),
          fileWrites: new Set(),
        });
        // Colliding names are an error reported by checkNames; the first step keeps the name, as before.
        if (!this.stateByName.has(step.name))
          this.stateByName.set(step.name, this.states.get(step.displayName) as StepState);
        for (const cell of step.cells) this.stepOfCell.set(cell, step.name);
      }

      // imports/functions cells run before every step (Kale semantics), wherever they are.
      for (const member of membership.cells) {
        if (member.role !== 'prelude' || !python) continue;
        this.cell = member.cell;
        for (const located of this.statementsOf(member.cell)) {
          this.prelude.push(located);
          for (const event of located.statement.events) {
            if (event.op === 'write')
              this.setProducer(event.name, {
                step: null,
                kind: event.code ?? 'value',
                at: located,
                definition: this.definitionOf(located, event.name),
                ...(event.module ? { module: event.module } : {}),
              });
          }
        }
      }

      const fileWriters = new Set<StepState>();
      this.moduleState.collectReads(
        membership.cells.filter((member) => python && member.role !== 'skip').map((member) => this.facts(member.cell)),
      );
      for (const member of membership.cells) {
        this.cell = member.cell;
        if (member.role === 'parameters') this.parameterCell(member.cell);
        else if (member.role === 'metrics') this.metricsCell(member.cell);
        else if (member.role === 'skip' && python) this.skippedCell(member.cell);
        else if (member.role === 'step' && member.step !== undefined && python) {
          this.current = this.states.get(member.step);
          // A file a `%%writefile` step wrote is read by name later (import, open): order later steps after it.
          for (const writer of fileWriters) if (writer !== this.current) this.current?.after.add(writer.member.name);
          if (this.facts(member.cell).writesFile && this.current) fileWriters.add(this.current);
          const located = this.statementsOf(member.cell);
          this.needStarImports();
          for (const replay of this.moduleState.everywhere(this.current?.member.name ?? ''))
            this.needCode(replay, new Set());
          // Once the global RNGs are seeded or drawn from, any library call may draw from them (scipy's `rvs`,
          // `differential_evolution`): every later step continues their state in notebook order.
          if (this.lastRandomStep !== undefined) this.useGlobalRandom();
          for (const statement of located) this.statement(statement);
        }
      }
      this.current = undefined;

      for (const state of this.states.values()) {
        for (const member of membership.cells) {
          if (member.step !== state.member.displayName) continue;
          for (const prev of member.tags.prev) this.prevEdge(state, member.cell, prev, byDisplayName);
        }
      }
      for (const state of this.states.values()) this.loadSharedTogether(state);
      for (const state of this.states.values()) {
        for (const input of state.inputs.values()) {
          if (input.kind !== 'value') continue;
          this.stateByName.get(input.from)?.outputs.add(input.name);
        }
      }
      const steps = membership.steps.map((step) => this.pipelineStep(step));
      this.checkCycles(steps, membership.steps);
      return {
        name: pipelineName(this.notebook),
        steps,
        parameters: this.parameters,
        parameterSources: this.parameterSources,
        definitions: this.definitions
          .filter((entry) => !entry.functions.some((facts) => this.valueFunctions.has(facts)))
          .map((entry) => entry.dependency),
        warnings: this.warnings.map((warning) => ({ ...warning, message: oneLine(warning.message) })),
      };
    }

    // ---- per-cell input -----------------------------------------------------------------------------

    private facts(cell: NotebookCell): CellFacts {
      let facts = this.cache.get(cell.source);
      if (!facts) {
        facts = analyzeCellSource(cell.source);
        this.cache.set(cell.source, facts);
      }
      return facts;
    }

    private statementsOf(cell: NotebookCell): Located[] {
      const facts = this.facts(cell);
      for (const problem of facts.problems) {
        if (problem.code === 'shell-command') continue;
        this.warnings.push({
          code: problem.code,
          message: `${where(cell)}: ${problem.message}`,
          cellId: cell.id,
          cellIndex: cell.index,
          line: problem.line,
        });
      }
      return facts.statements.map((statement, i) => {
        const located = { statement, cell, order: cell.index * 100000 + i };
        // Imports are listed too: a definition run on demand may need them (`@dataclass`, a base class module).
        const names = statement.events.flatMap((e) => (e.op === 'write' && e.code ? [e.name] : []));
        if (statement.kind !== 'other' && names.length > 0) {
          const known = this.definitions.some(
            (d) => d.dependency.cellId === cell.id && d.dependency.source === statement.source,
          );
          if (!known) {
            this.definitions.push({
              dependency: {
                names,
                kind: statement.kind,
                source: statement.source,
                cellId: cell.id,
                from: this.current?.member.name ?? '',
              },
              functions: statement.definitions.filter((d) => d.kind === 'function'),
            });
          }
        }
        return located;
      });
    }

    private parameterCell(cell: NotebookCell): void {
      try {
        for (const { name, value, source } of parseParameterAssignments(cell.source)) {
          this.parameters[name] = value;
          this.parameterSources[name] = source;
          this.setProducer(name, { step: null, kind: 'parameter' });
        }
      } catch (error) {
        const line = error instanceof LiteralError ? error.line : undefined;
        this.warnings.push({
          code: 'invalid-parameter',
          severity: 'error',
          message: `${where(cell)}: pipeline parameters must be literal assignments: ${(error as Error).message}`,
          cellId: cell.id,
          cellIndex: cell.index,
          ...(line !== undefined ? { line } : {}),
        });
      }
    }

    /** Names bound only in `skip` cells explain a later unresolved name. */
    private skippedCell(cell: NotebookCell): void {
      for (const statement of this.facts(cell).statements) {
        for (const event of statement.events) if (event.op === 'write') this.skippedWriters.set(event.name, cell);
      }
    }

    private metricsCell(cell: NotebookCell): void {
      const names = new Set<string>();
      for (const statement of this.facts(cell).statements) {
        for (const event of statement.events) {
          if (event.op === 'read' && (this.producers.has(event.name) || !BUILTINS.has(event.name)))
            names.add(event.name);
        }
      }
      for (const name of names) {
        const producer = this.producers.get(name);
        const state = producer?.step ? this.states.get(this.displayNameOf(producer.step)) : undefined;
        if (!state || producer?.deleted) {
          this.warnings.push({
            code: 'unknown-metric',
            message: `${where(cell)}: metric '${name}' is not produced by any step above`,
            cellId: cell.id,
            cellIndex: cell.index,
          });
          continue;
        }
        if (!state.metrics.includes(name)) state.metrics.push(name);
      }
    }

    // ---- data flow ----------------------------------------------------------------------------------

    private displayNameOf(stepName: string): string {
      return this.stateByName.get(stepName)?.member.displayName ?? stepName;
    }

    private definitionOf(located: Located, name: string): DefinitionFacts | undefined {
      return located.statement.definitions.find((d) => d.name === name);
    }

    private setProducer(name: string, producer: Producer): void {
      this.producers.set(name, producer);
      if (producer.definition?.methods) {
        for (const [method, facts] of Object.entries(producer.definition.methods)) {
          this.methods.set(method, [...(this.methods.get(method) ?? []), facts]);
        }
      }
    }

    private statement(located: Located): void {
      for (const event of located.statement.events) this.event(event, located, new Set());
      const state = this.current;
      if (state) this.moduleState.register(located, state.member.name, (name) => this.producers.get(name)?.module);
    }

    private event(event: FactEvent, located: Located, visiting: Set<object>): void {
      const state = this.current;
      if (!state) return;
      switch (event.op) {
        case 'read':
          return this.read(event.name, event.line, visiting, event.deferred);
        case 'write': {
          this.unalias(event.name);
          const definition = event.code ? this.definitionOf(located, event.name) : undefined;
          const byValue = definition !== undefined && this.definedFromState(definition);
          if (byValue) this.valueFunctions.add(definition);
          const type = event.code ? undefined : this.typeOf(event.made);
          this.views.delete(event.name);
          const base = /^(?:of|call):([A-Za-z_]\w*)/.exec(event.made ?? '')?.[1];
          if (base && base !== event.name && this.producers.get(base)?.type === 'ndarray')
            this.views.set(event.name, base);
          const classes = event.code ? undefined : this.classesOf(located);
          if (event.module) this.useModule(event.module);
          return this.setProducer(event.name, {
            step: state.member.name,
            kind: byValue ? 'value' : (event.code ?? 'value'),
            at: located,
            definition,
            callable: event.code ? undefined : this.callablesOf(located),
            methods: event.code ? undefined : this.instanceMethodsOf(located),
            ...(type ? { type } : {}),
            ...(event.module ? { module: event.module } : {}),
            ...(classes ? { classes } : {}),
          });
        }
        case 'delete':
          this.unalias(event.name);
          return this.setProducer(event.name, { step: state.member.name, kind: 'value', deleted: true });
        case 'mutate': {
          const producer = this.producers.get(event.name);
          const base = this.views.get(event.name);
          if (base && producer?.step !== state.member.name)
            this.brokenViews.set(base, {
              view: event.name,
              cell: located.cell,
              line: event.line,
              step: state.member.name,
            });
          if (producer?.kind === 'class' && (event.how === '=' || (event.path ?? '').includes('.')))
            this.changedClasses.set(event.name, { cell: located.cell, line: event.line, step: state.member.name });
          if (producer?.module && event.path) {
            const qualified = [producer.module, ...event.path.split('.').slice(1), event.how ?? ''].join('.');
            if (ModuleState.usesGlobalRandom(qualified)) this.useGlobalRandom();
          }
          return this.mutate(event.name, event.line, visiting);
        }
        case 'method': {
          const producer = this.producers.get(event.name);
          if (producer?.kind === 'module') return;
          if (methodMutatesReceiver(producer?.type, event.method) || this.instanceMethodMutates(event.method))
            this.mutate(event.name, event.line, visiting);
          return;
        }
        case 'advance': {
          const producer = this.producers.get(event.name);
          if (producer?.kind !== 'value' || !mayBeGenerator(producer.type)) return;
          return this.mutate(event.name, event.line, visiting);
        }
        case 'file':
          return this.file(event.path, event.mode);
        case 'alias':
          for (const target of event.targets) {
            const kind = this.producers.get(target)?.kind;
            if (target === event.name || (kind !== undefined && kind !== 'value' && kind !== 'parameter')) continue;
            this.link(event.name, target);
            const holder = this.producers.get(event.name);
            const part = this.producers.get(target);
            if (holder && part?.kind === 'value')
              this.heldVersions.set(holder, new Set([...(this.heldVersions.get(holder) ?? []), part]));
          }
          return;
        case 'call':
          return this.call(event.callee, event.attribute, event.args, event.line, visiting);
        case 'dynamic':
          for (const [name, producer] of this.producers) {
            if (!producer.deleted) this.read(name, event.line, visiting);
          }
          this.fallback = { step: state.member.name, kind: 'value' };
          state.dynamic = true;
          return;
        case 'star':
          this.fallback = { step: state.member.name, kind: 'module', at: located };
          state.dynamic = true;
          this.starImports.push({ located, step: state.member.name });
          return;
      }
    }

    /**
     * A function whose `def` evaluated notebook values (defaults, decorator arguments) or ran a decorator that may
     * have side effects cannot be re-executed elsewhere: it travels as a value.
     */
    private definedFromState(definition: DefinitionFacts): boolean {
      if (definition.kind !== 'function') return false;
      const pureDecorator = (dotted: string): boolean => {
        const [root = '', ...rest] = dotted.split('.');
        const producer = this.producers.get(root);
        const fromLibrary = producer ? producer.kind === 'module' && !producer.deleted : BUILTINS.has(root);
        return fromLibrary && PURE_DECORATORS.has(rest[rest.length - 1] ?? root);
      };
      if (!(definition.decorators ?? []).every(pureDecorator)) return true;
      // Parameters are injected into every step, so a default that reads one is the same when re-executed.
      return (definition.definitionReads ?? []).some((name) => this.producers.get(name)?.kind === 'value');
    }

    /** Star imports bind names nobody can list, so every later step re-executes them (after their own step). */
    private needStarImports(): void {
      const state = this.current;
      if (!state) return;
      for (const { located, step } of this.starImports) {
        if (step === state.member.name) continue;
        state.after.add(step);
        this.needCode(located, new Set());
      }
    }

    /** A value may hold a lambda made by its statement or a closure returned by a user function it called. */
    private callablesOf(located: Located): DefinitionFacts['facts'][] | undefined {
      // A set, so that `x1 = (x0, x0)` … `x18` stays linear instead of doubling at every level.
      const found = new Set<DefinitionFacts['facts']>(located.statement.lambdas ? [located.statement.lambdas] : []);
      for (const event of located.statement.events) {
        if (event.op !== 'read') continue;
        const producer = this.producers.get(event.name);
        if (producer?.definition?.facts.makesClosures) found.add(producer.definition.facts);
        for (const facts of producer?.callable ?? []) found.add(facts);
      }
      return found.size > 0 ? [...found] : undefined;
    }

    /** A value built by a statement that uses a user class may be an instance of it (`a + b` runs `__add__`). */
    private instanceMethodsOf(located: Located): DefinitionFacts['facts'][] | undefined {
      const found = new Set<DefinitionFacts['facts']>();
      for (const event of located.statement.events) {
        if (event.op !== 'read') continue;
        const producer = this.producers.get(event.name);
        if (producer?.definition?.kind === 'class') found.add(producer.definition.facts);
        for (const facts of producer?.methods ?? []) found.add(facts);
      }
      return found.size > 0 ? [...found] : undefined;
    }

    /** The receiver type of a value made as `made` says (see the `write` fact), when known. */
    private typeOf(made: string | undefined): ReceiverType | undefined {
      if (made === 'set' || made === 'list' || made === 'dict' || made === 'scalar') return made;
      const [how = '', what = ''] = (made ?? '').split(/:(.*)/s);
      const [root = '', ...rest] = what.split('.');
      const producer = this.producers.get(root);
      if (how === 'same') return producer?.type;
      if (how === 'of' || (how === 'call' && producer?.kind === 'value' && rest.length > 0))
        return producer?.type === 'rng'
          ? 'ndarray'
          : producer?.type === 'array' || producer?.type === 'ndarray'
            ? producer.type
            : undefined;
      if (how !== 'call') return undefined;
      if (!producer && rest.length === 0) return ModuleState.builtinType(root);
      if (producer?.kind !== 'module' || !producer.module) return undefined;
      return ModuleState.libraryType([producer.module, ...rest].join('.'));
    }

    /** A user class method of this name changes `self` or an argument (any class: the receiver's class is unknown). */
    private instanceMethodMutates(method: string): boolean {
      return (this.methods.get(method) ?? []).some((facts) => facts.mutatesParams);
    }

    /** The `class` statements whose instances a value built by this statement may be or hold. */
    private classesOf(located: Located): Located[] | undefined {
      const found = new Set<Located>();
      for (const event of located.statement.events) {
        if (event.op !== 'read') continue;
        const producer = this.producers.get(event.name);
        if (producer?.definition?.kind === 'class' && producer.at) found.add(producer.at);
        for (const at of producer?.classes ?? []) found.add(at);
      }
      return found.size > 0 ? [...found] : undefined;
    }

    /** A step that uses a package replays the configuration calls and side-effect imports of that package made before. */
    private useModule(module: string): void {
      const state = this.current;
      if (!state) return;
      for (const replay of this.moduleState.configurationOf(module, state.member.name))
        this.needCode(replay, new Set());
    }

    /** Steps using the global RNGs, and every step after the first, run in notebook order, each continuing its state. */
    private useGlobalRandom(): void {
      const state = this.current;
      if (!state) return;
      if (!state.randomState) {
        const from = this.lastRandomStep;
        state.randomState = from && from !== state.member.name ? { from } : {};
        if (from && from !== state.member.name) state.after.add(from);
      }
      this.lastRandomStep = state.member.name;
    }

    /** A file path written by one step and read by a later one is an edge (and, on a cluster, an artifact). */
    private file(path: string, mode: 'read' | 'write'): void {
      const state = this.current;
      if (!state) return;
      const name = state.member.name;
      const writer = this.fileWriters.get(path);
      if (mode === 'read') {
        if (writer && writer !== name) {
          state.after.add(writer);
          state.fileReads.set(path, writer);
          this.stateByName.get(writer)?.fileWrites.add(path);
        }
        this.fileReaders.set(path, new Set([...(this.fileReaders.get(path) ?? []), name]));
        return;
      }
      // Overwriting a file others read or wrote before: run after them, as in the notebook.
      for (const earlier of [...(this.fileReaders.get(path) ?? []), ...(writer ? [writer] : [])]) {
        if (earlier !== name) state.after.add(earlier);
      }
      this.fileReaders.delete(path);
      this.fileWriters.set(path, name);
    }

    /**
     * A step reading both a holder (`model = make_pipeline(scaler)`, made in step P) and a part it holds (`scaler`,
     * as P loaded it) takes the part from P too, where both are saved as one group: `model.steps[0][1] is scaler`.
     */
    private loadSharedTogether(state: StepState): void {
      for (const [name, version] of state.inputVersions) {
        for (const holderVersion of state.inputVersions.values()) {
          const maker = holderVersion.step === null ? undefined : this.stateByName.get(holderVersion.step);
          if (!maker || maker === state || !this.heldVersions.get(holderVersion)?.has(version)) continue;
          if (maker.inputVersions.get(name) !== version) continue;
          const input = state.inputs.get(name);
          if (input) input.from = maker.member.name;
          break;
        }
      }
    }

    /** `holder` may refer to (contain, or be) the object bound to `part`. */
    private link(holder: string, part: string): void {
      this.aliases.set(holder, new Set([...(this.aliases.get(holder) ?? []), part]));
      this.holders.set(part, new Set([...(this.holders.get(part) ?? []), holder]));
    }

    /** Rebinding a name ends what it referred to; containers made earlier still hold the old object. */
    private unalias(name: string): void {
      for (const part of this.aliases.get(name) ?? []) this.holders.get(part)?.delete(name);
      this.aliases.delete(name);
    }

    private static closure(start: Iterable<string>, edges: Map<string, Set<string>>): Set<string> {
      const seen = new Set(start);
      const queue = [...seen];
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        for (const other of edges.get(next) ?? []) {
          if (seen.has(other)) continue;
          seen.add(other);
          queue.push(other);
        }
      }
      return seen;
    }

    private read(name: string, line: number, visiting: Set<object>, deferred = false): void {
      const state = this.current;
      const cell = this.cell;
      if (!state || !cell) return;
      // A notebook may rebind a builtin name (`sum = 0`); only an unbound builtin is not an input.
      const producer = this.producers.get(name) ?? (BUILTINS.has(name) ? undefined : this.fallback);
      if (!producer && BUILTINS.has(name)) return;
      if (!producer || producer.deleted) {
        if (deferred) return;
        const key = `${cell.id}:${name}`;
        if (!state.reported.has(key)) {
          state.reported.add(key);
          const skipped = this.skippedWriters.get(name);
          this.warnings.push({
            code: 'unresolved-name',
            message: skipped
              ? `${where(cell)}: line ${line}: '${name}' is only defined in skipped ${where(skipped)}, which the pipeline does not run`
              : `${where(cell)}: line ${line}: '${name}' is not defined by any cell above`,
            cellId: cell.id,
            cellIndex: cell.index,
            line,
          });
        }
        return;
      }
      if (producer.kind === 'parameter') {
        state.parameters.add(name);
        return;
      }
      if (producer.kind === 'class') this.checkClassState(name, line);
      this.checkBrokenView(name, producer, line);
      if (producer.kind === 'module' && producer.module) this.useModule(producer.module);
      if (producer.step !== null && producer.step !== state.member.name) {
        if (!state.inputs.has(name)) {
          state.inputs.set(name, { name, from: producer.step, kind: producer.kind });
          state.inputVersions.set(name, producer);
        }
        state.after.add(producer.step);
        if (producer.kind !== 'value' && producer.at) this.needCode(producer.at, visiting);
        // An instance whose class body reads notebook values: define the class here, from its statement, with them.
        for (const at of producer.classes ?? []) if (this.readsValues(at)) this.needCode(at, visiting);
      }
      if (producer.definition) this.expand(producer.definition.facts, line, visiting);
      for (const facts of producer.methods ?? []) this.expand(facts, line, visiting);
    }

    private readsValues(located: Located): boolean {
      return located.statement.events.some((e) => e.op === 'read' && this.producers.get(e.name)?.kind === 'value');
    }

    /** Reading an array that another step changed through a loaded view: that step's change is not in it. */
    private checkBrokenView(name: string, producer: Producer, line: number): void {
      const broken = this.brokenViews.get(name);
      const state = this.current;
      const cell = this.cell;
      if (!broken || !state || !cell || broken.step === state.member.name || producer.step !== broken.step) return;
      const key = `view:${name}`;
      if (state.reported.has(key)) return;
      state.reported.add(key);
      this.warnings.push({
        code: 'view-state',
        severity: 'error',
        message: `${where(cell)}: line ${line}: '${name}' was changed through '${broken.view}', which may be a numpy view of it, in ${where(broken.cell)} line ${broken.line}, another step: views do not travel as views; tag these cells into one step or make '${broken.view}' a copy`,
        cellId: cell.id,
        cellIndex: cell.index,
        line,
      });
    }

    /** A class changed after its `class` statement (`Registry.items.append(…)`) cannot be re-executed elsewhere. */
    private checkClassState(name: string, line: number): void {
      const changed = this.changedClasses.get(name);
      const state = this.current;
      const cell = this.cell;
      if (!changed || !state || !cell || changed.step === state.member.name) return;
      const key = `class-state:${name}`;
      if (state.reported.has(key)) return;
      state.reported.add(key);
      this.warnings.push({
        code: 'class-state',
        severity: 'error',
        message: `${where(cell)}: line ${line}: class '${name}' was changed in ${where(changed.cell)} line ${changed.line}, and class state does not travel between steps; tag these cells into one step or keep the state in a variable`,
        cellId: cell.id,
        cellIndex: cell.index,
        line,
      });
    }

    /** A step re-executes a code statement from another step: it needs what that statement reads too. */
    private needCode(located: Located, visiting: Set<object>): void {
      const state = this.current;
      if (!state || state.code.has(located.order)) return;
      state.code.set(located.order, located);
      const savedCell = this.cell;
      this.cell = located.cell;
      for (const event of located.statement.events) {
        if (event.op === 'read') this.read(event.name, event.line, visiting);
      }
      this.cell = savedCell;
    }

    /** Calling (or passing on) a function: its call-time reads, `global` writes and mutations happen in the caller. */
    private expand(facts: DefinitionFacts['facts'], line: number, visiting: Set<object>): void {
      if (visiting.has(facts)) return;
      visiting.add(facts);
      for (const name of facts.reads) this.read(name, line, visiting);
      for (const name of facts.mutates) this.mutate(name, line, visiting);
      for (const call of facts.calls) this.call(call.callee, call.attribute, call.args, line, visiting);
      if (facts.dynamic)
        this.event(
          { op: 'dynamic', line, what: 'function' },
          {
            statement: { source: '', line, kind: 'other', events: [], definitions: [] },
            cell: this.cell as NotebookCell,
            order: -1,
          },
          visiting,
        );
      const state = this.current;
      if (state) {
        for (const name of facts.writes) {
          this.unalias(name);
          this.setProducer(name, { step: state.member.name, kind: 'value' });
        }
      }
    }

    private mutate(name: string, line: number, visiting: Set<object>): void {
      const state = this.current;
      if (!state) return;
      const own = this.producers.get(name)?.kind;
      if (own !== undefined && own !== 'value' && own !== 'parameter') return;
      // Mutating an object changes whatever it may be part of, and may change any object it refers to.
      const touched = GraphBuilder.closure(GraphBuilder.closure([name], this.aliases), this.holders);
      for (const target of touched) {
        const producer = this.producers.get(target);
        if (!producer || producer.deleted || (producer.kind === 'parameter' && target !== name)) continue;
        if (producer.kind !== 'value' && producer.kind !== 'parameter') continue;
        this.read(target, line, visiting);
        this.setProducer(target, { step: state.member.name, kind: 'value' });
      }
    }

    private call(
      callee: string | undefined,
      attribute: string | undefined,
      args: string[],
      line: number,
      visiting: Set<object>,
    ): void {
      const producer = callee ? this.producers.get(callee) : undefined;
      if (!attribute && producer?.module && ModuleState.usesGlobalRandom(producer.module)) this.useGlobalRandom();
      // A generator handed to a call (`train_test_split(…, random_state=rng)`) is advanced by it.
      for (const arg of args) if (this.producers.get(arg)?.type === 'rng') this.mutate(arg, line, visiting);
      // Calling a value, or handing it to another call, may run the functions it holds.
      for (const name of [...(callee && !attribute ? [callee] : []), ...args]) {
        for (const facts of this.producers.get(name)?.callable ?? []) this.expand(facts, line, visiting);
      }
      if (callee && !attribute && producer?.definition && this.mutatesParams(producer.definition, new Set())) {
        for (const arg of args) this.mutate(arg, line, visiting);
      }
      if (attribute && producer?.kind !== 'module') {
        for (const facts of this.methods.get(attribute) ?? []) this.expand(facts, line, visiting);
        if (callee && this.instanceMethodMutates(attribute)) {
          this.mutate(callee, line, visiting);
          for (const arg of args) this.mutate(arg, line, visiting);
        }
      }
    }

    private mutatesParams(definition: DefinitionFacts, seen: Set<DefinitionFacts>): boolean {
      if (seen.has(definition)) return false;
      seen.add(definition);
      if (definition.facts.mutatesParams) return true;
      return definition.facts.forwardsParamsTo.some((name) => {
        const target = this.producers.get(name)?.definition;
        return target ? this.mutatesParams(target, seen) : functionMutatesArguments(name);
      });
    }

    // ---- steps --------------------------------------------------------------------------------------

    private prevEdge(
      state: StepState,
      cell: NotebookCell,
      prev: string,
      byDisplayName: Map<string, StepMembership>,
    ): void {
      const target = byDisplayName.get(prev) ?? [...byDisplayName.values()].find((step) => step.name === prev);
      if (!target) {
        this.warnings.push({
          code: 'unknown-step',
          severity: 'error',
          message: `${where(cell)}: tag 'prev:${prev}' names no step of this notebook`,
          cellId: cell.id,
          cellIndex: cell.index,
        });
        return;
      }
      if (target.firstIndex >= cell.index || target === state.member) {
        this.warnings.push({
          code: 'later-step',
          severity: 'error',
          message: `${where(cell)}: tag 'prev:${prev}' must name a step above this cell`,
          cellId: cell.id,
          cellIndex: cell.index,
        });
        return;
      }
      state.after.add(target.name);
    }

    private pipelineStep(member: StepMembership): PipelineStep {
      const state = this.states.get(member.displayName) as StepState;
      const settings = mergeStepSettings(
        this.notebook.settings.image !== undefined ? { image: this.notebook.settings.image } : undefined,
        this.notebook.settings.stepDefaults,
        ...member.cells.map((cell) => stepSettingsOf(parseCellTags(cell.tags))),
      );
      const code = [...this.prelude, ...[...state.code.values()].sort((a, b) => a.order - b.order)];
      const seen = new Set<number>();
      return {
        name: member.name,
        displayName: member.displayName,
        cells: member.cells.map((cell) => cell.id),
        after: [...state.after]
          .filter((s) => s !== member.name)
          .sort((a, b) => this.firstIndexOf(a) - this.firstIndexOf(b)),
        inputs: [...state.inputs.values()],
        outputs: [...state.outputs],
        code: code
          .filter((located) => !seen.has(located.order) && seen.add(located.order))
          .map((located) => ({
            names: located.statement.events.flatMap((e) =>
              e.op === 'write' && (e.code || this.prelude.includes(located)) ? [e.name] : [],
            ),
            kind:
              located.statement.kind === 'other'
                ? ((located.statement.events.find((e) => e.op === 'write' && e.code) as { code?: 'module' } | undefined)
                    ?.code ?? 'module')
                : located.statement.kind,
            source: located.statement.source,
            ...this.valueReadsOf(located, state),
            cellId: located.cell.id,
            from: this.producerStepOf(located) ?? member.name,
          })),
        parameters: [...state.parameters],
        metrics: state.metrics,
        settings,
        ...(state.randomState ? { randomState: state.randomState } : {}),
        ...(state.dynamic ? { dynamic: state.dynamic } : {}),
        ...(state.fileReads.size > 0 || state.fileWrites.size > 0
          ? {
              files: {
                reads: [...state.fileReads].map(([path, from]) => ({ path, from })),
                writes: [...state.fileWrites],
              },
            }
          : {}),
      };
    }

    private valueReadsOf(located: Located, state: StepState): { reads?: string[] } {
      const reads = new Set<string>();
      for (const event of located.statement.events) {
        if (event.op === 'read' && state.inputs.get(event.name)?.kind === 'value') reads.add(event.name);
      }
      return reads.size > 0 ? { reads: [...reads] } : {};
    }

    private producerStepOf(located: Located): string | undefined {
      return this.stepOfCell.get(located.cell);
    }

    private firstIndexOf(stepName: string): number {
      return this.stateByName.get(stepName)?.member.firstIndex ?? 0;
    }

    private checkNames(steps: StepMembership[]): void {
      const byName = new Map<string, StepMembership>();
      for (const step of steps) {
        const cell = step.cells[0];
        const at = cell ? { cellId: cell.id, cellIndex: cell.index } : {};
        const place = cell ? `${where(cell)}: ` : '';
        if (step.name !== step.displayName) {
          this.warnings.push({
            code: 'name-normalized',
            message: `${place}step '${step.displayName}' is named '${step.name}' in Kubernetes`,
            ...at,
          });
        }
        const clash = byName.get(step.name);
        if (clash) {
          this.warnings.push({
            code: 'name-collision',
            severity: 'error',
            message: `${place}steps '${clash.displayName}' and '${step.displayName}' both normalise to '${step.name}'; rename one`,
            ...at,
          });
        }
        byName.set(step.name, step);
      }
    }

    private checkCycles(steps: PipelineStep[], members: StepMembership[]): void {
      const byName = new Map(steps.map((step) => [step.name, step]));
      const state = new Map<string, 'visiting' | 'done'>();
      const path: string[] = [];
      const visit = (name: string): string[] | undefined => {
        if (state.get(name) === 'done') return undefined;
        if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
        state.set(name, 'visiting');
        path.push(name);
        for (const upstream of byName.get(name)?.after ?? []) {
          const cycle = visit(upstream);
          if (cycle) return cycle;
        }
        path.pop();
        state.set(name, 'done');
        return undefined;
      };
      for (const step of steps) {
        const cycle = visit(step.name);
        if (!cycle) continue;
        const involved = members
          .filter((m) => cycle.includes(m.name))
          .flatMap((m) => m.cells)
          .sort((a, b) => a.index - b.index);
        const first = involved[0];
        this.warnings.push({
          code: 'cycle',
          severity: 'error',
          message: `steps ${[...cycle].reverse().join(' → ')} depend on each other (${involved.map(where).join(', ')}); a step name reused further down makes its cells run together`,
          ...(first ? { cellId: first.id, cellIndex: first.index } : {}),
        });
        return;
      }
    }
  }
}
