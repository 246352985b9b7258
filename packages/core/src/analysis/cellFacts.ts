import { parsePython } from './parse.js';
import type { SyntaxNode } from '@lezer/common';
import type { InputKind } from '../graph/types.js';
import { ipythonToPython } from './ipython.js';
import {
  BUILTINS,
  DYNAMIC_BUILTINS,
  FRESH_CALLS,
  FRESH_RESULT_METHODS,
  PURE_METHODS,
  RECEIVER_DEPENDENT_METHODS,
  functionMutatesArguments,
  methodMayMutate,
} from './purity.js';
import { fileFactsOfCall, namesInExpressionString } from './strings.js';

export type CodeKind = Exclude<InputKind, 'value'>;

/** One thing a top-level statement does to the notebook namespace, in evaluation order. */
export type FactEvent =
  /** `deferred`: read when a lambda made here runs, which may be after the name is defined. */
  | { op: 'read'; name: string; line: number; deferred?: boolean }
  /**
   * `module`: for imports, the dotted module path the name is bound to (`np` → `numpy`, `shuffle` → `sklearn.utils.shuffle`).
   * `made`: how the value was made, so its type can be judged: `set`/`list`/`dict`/`scalar` literals, `call:a.b.c` (a dotted
   * callee), `same:x` (the object of `x`), `of:x` (derived from `x` by a method, subscript or attribute).
   */
  | { op: 'write'; name: string; line: number; code?: CodeKind; module?: string; made?: string }
  | { op: 'delete'; name: string; line: number }
  /** `path`: the dotted object changed (`sys.path`, `Registry.items`); `how`: the method called, or `=` for an assignment. */
  | { op: 'mutate'; name: string; line: number; path?: string; how?: string }
  /** A method pure on pandas and numpy values but not on every receiver (`seen.add`, `rng.sample`): the receiver's type decides. */
  | { op: 'method'; name: string; method: string; line: number }
  /** Passed as a generator keyword (`random_state=rs`): a generator there is advanced by the call; its type decides. */
  | { op: 'advance'; name: string; line: number }
  /** A file path literal a call writes or may read (`df.to_csv("out.csv")`, `pd.read_csv("out.csv")`). */
  | { op: 'file'; path: string; mode: 'read' | 'write'; line: number }
  /** `name` may now refer to objects also reachable from `targets` (so mutating one mutates the others). */
  | { op: 'alias'; name: string; targets: string[] }
  /** A call: `callee` is the root name, `attribute` the called attribute, `args` the global names passed. */
  | { op: 'call'; callee?: string; attribute?: string; args: string[]; line: number }
  | { op: 'dynamic'; line: number; what: string }
  | { op: 'star'; line: number; module: string };

/** What calling a function does, seen from the notebook namespace (transitive effects are resolved later). */
export interface FunctionFacts {
  /** Global names read at call time. */
  reads: string[];
  /** Globals rebound through `global`. */
  writes: string[];
  /** Globals possibly mutated in place. */
  mutates: string[];
  /** Whether a parameter may be mutated in place (so the caller's argument is). */
  mutatesParams: boolean;
  /** Bare names the function passes its parameters to: they mutate the caller's argument if they mutate theirs. */
  forwardsParamsTo: string[];
  /** Calls with global arguments and method calls, for transitive resolution. */
  calls: { callee?: string; attribute?: string; args: string[] }[];
  /** Uses exec/eval/globals()/…: reads and may write anything. */
  dynamic: boolean;
  /** Defines a nested function or lambda, which it may return as a closure. */
  makesClosures?: boolean;
}

/** A function or class bound by a top-level statement. */
export interface DefinitionFacts {
  name: string;
  kind: 'function' | 'class';
  /** Call-time effects; for a class, those of all its methods together. */
  facts: FunctionFacts;
  /** For a class: method name → effects (for `value.method()` calls). */
  methods?: Record<string, FunctionFacts>;
  /** For a function: dotted name of each decorator (`functools.lru_cache`), '' when it is not a plain dotted name. */
  decorators?: string[];
  /** For a function: global names its decorators, defaults and annotations read when the `def` runs. */
  definitionReads?: string[];
}

export interface StatementFacts {
  /** Exact source of the top-level statement, decorators included. */
  source: string;
  /** 1-based first line in the cell. */
  line: number;
  kind: CodeKind | 'other';
  events: FactEvent[];
  definitions: DefinitionFacts[];
  /** Effects of lambdas made by the statement: they run whenever the value holding them is called. */
  lambdas?: FunctionFacts;
}

export interface CellProblem {
  code: 'syntax-error' | 'dynamic-code' | 'star-import' | 'shell-command';
  line: number;
  message: string;
}

export interface CellFacts {
  statements: StatementFacts[];
  problems: CellProblem[];
  /** The cell body is not Python (`%%bash`, `%%html`, …). */
  notPython: boolean;
  /** The cell writes a file (`%%writefile`) that later cells may import or read. */
  writesFile: boolean;
}

/** Static facts of one code cell: what each top-level statement reads, binds, mutates and defines. */
export function analyzeCellSource(source: string): CellFacts {
  const python = ipythonToPython(source);
  const { code, tree } = parsePython(python.code);
  const walker = new Private.Walker(code, source);
  const facts: CellFacts = {
    statements: [],
    problems: [],
    notPython: python.notPython,
    writesFile: python.writesFile,
  };
  for (const line of python.dynamicLines) {
    facts.problems.push({ code: 'dynamic-code', line, message: `line ${line}: %run or %store may bind any name` });
  }
  const shell = python.shellLines[0];
  if (shell !== undefined) {
    facts.problems.push({
      code: 'shell-command',
      line: shell,
      message: `line ${shell}: shell commands and magics are run but not analysed`,
    });
  }
  for (let node = tree.topNode.firstChild; node; node = node.nextSibling) {
    if (node.name === 'Comment') continue;
    facts.statements.push(walker.topLevel(node));
  }
  facts.problems.push(...walker.problems);
  for (const line of python.dynamicLines) {
    facts.statements.push({
      source: '',
      line,
      kind: 'other',
      events: [{ op: 'dynamic', line, what: '%run' }],
      definitions: [],
    });
  }
  facts.statements.sort((a, b) => a.line - b.line);
  const error = Private.firstSyntaxError(tree.topNode, python.code);
  if (error) facts.problems.unshift(error);
  return facts;
}

namespace Private {
  export const BRANCHING = new Set(['IfStatement', 'WhileStatement', 'ForStatement', 'TryStatement', 'MatchStatement']);
  const COMPREHENSIONS = new Set([
    'ArrayComprehensionExpression',
    'DictionaryComprehensionExpression',
    'SetComprehensionExpression',
    'ComprehensionExpression',
  ]);
  const CONTAINERS = new Set([
    'TupleExpression',
    'ArrayExpression',
    'SetExpression',
    'DictionaryExpression',
    'ParenthesizedExpression',
    'ConditionalExpression',
  ]);
  /** Methods pure on their receiver whose result may hold their arguments (`d.get(k, default)`). */
  const ALIASING_METHODS = new Set(['get', 'setdefault', 'assign', 'where', 'mask', 'combine_first', 'fillna']);
  /** Keywords that hand a call a random generator, which the call advances (scikit-learn, numpy, scipy, hmmlearn). */
  const GENERATOR_KEYWORDS = new Set(['random_state', 'rng', 'random_generator', 'generator', 'seed', 'random_seed']);
  /** Methods that return an element of their receiver. */
  const ELEMENT_METHODS = new Set(['get', 'setdefault', 'pop', 'values', 'items', '__getitem__']);

  /** The text of a plain (not formatted) string literal; prefixes `r`/`b`/`u` allowed. */
  export function stringValue(literal: string): string | undefined {
    const match = /^([rRbBuU]{0,2})('{3}|"{3}|'|")([\s\S]*)\2$/.exec(literal);
    if (!match) return undefined;
    const body = match[3] ?? '';
    return /r/i.test(match[1] ?? '') ? body : body.replace(/\\(.)/g, '$1');
  }

  function children(node: SyntaxNode): SyntaxNode[] {
    const result: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name !== 'Comment') result.push(child);
    }
    return result;
  }

  export function firstSyntaxError(top: SyntaxNode, code: string): CellProblem | undefined {
    let found: SyntaxNode | undefined;
    top.cursor().iterate((ref) => {
      if (found) return false;
      if (ref.type.isError) {
        found = ref.node;
        return false;
      }
      return undefined;
    });
    if (!found) return undefined;
    const line = code.slice(0, found.from).split('\n').length;
    const text = code.slice(found.from, found.to).trim().slice(0, 20).replace(/\s+/g, ' ');
    return {
      code: 'syntax-error',
      line,
      message: `line ${line}: syntax error${text ? ` near '${text}'` : ''}`,
    };
  }

  export function emptyFacts(): FunctionFacts {
    return {
      reads: [],
      writes: [],
      mutates: [],
      mutatesParams: false,
      forwardsParamsTo: [],
      calls: [],
      dynamic: false,
    };
  }

  interface Scope {
    kind: 'module' | 'function' | 'class' | 'comprehension';
    parent?: Scope;
    locals: Set<string>;
    globals: Set<string>;
    params: Set<string>;
    /** Local name → parameters and globals it may refer to. */
    aliases: Map<string, Set<string>>;
    facts?: FunctionFacts;
    /** Class scopes: method name → effects. */
    methods?: Record<string, FunctionFacts>;
  }

  function pushUnique(list: string[], name: string): void {
    if (!list.includes(name)) list.push(name);
  }

  export class Walker {
    readonly problems: CellProblem[] = [];
    private events: FactEvent[] = [];
    private definitions: DefinitionFacts[] = [];
    private lambdas?: FunctionFacts;
    /** Depth of compound statements whose bodies may not run. */
    private conditional = 0;
    private readonly lineStarts: number[] = [0];
    private readonly module: Scope = Walker.scope('module');

    constructor(
      private readonly code: string,
      private readonly original: string,
    ) {
      for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }

    static scope(kind: Scope['kind'], parent?: Scope): Scope {
      return { kind, parent, locals: new Set(), globals: new Set(), params: new Set(), aliases: new Map() };
    }

    topLevel(node: SyntaxNode): StatementFacts {
      this.events = [];
      this.definitions = [];
      this.lambdas = undefined;
      this.statement(node, this.module);
      const writes = this.events.filter((e): e is Extract<FactEvent, { op: 'write' }> => e.op === 'write');
      const codeKinds = new Set(writes.map((w) => w.code));
      let kind: StatementFacts['kind'] = 'other';
      if (writes.length > 0 && codeKinds.size === 1 && !codeKinds.has(undefined)) kind = [...codeKinds][0] as CodeKind;
      return {
        source: this.sourceOf(node),
        line: this.line(node.from),
        kind,
        events: this.events,
        definitions: this.definitions,
        ...(this.lambdas ? { lambdas: this.lambdas } : {}),
      };
    }

    private line(offset: number): number {
      let low = 0;
      let high = this.lineStarts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if ((this.lineStarts[mid] ?? 0) <= offset) low = mid;
        else high = mid - 1;
      }
      return low + 1;
    }

    /** Original cell text of whole lines when the statement spans whole lines, else the rewritten slice. */
    private sourceOf(node: SyntaxNode): string {
      const first = this.line(node.from);
      const last = this.line(Math.max(node.from, node.to - 1));
      const startsLine = node.from === this.lineStarts[first - 1];
      const lineEnd = (this.lineStarts[last] ?? this.code.length + 1) - 1;
      const endsLine =
        this.code.slice(node.to, lineEnd).trim() === '' || this.code.slice(node.to, lineEnd).trim().startsWith('#');
      if (startsLine && endsLine) {
        return this.original
          .split('\n')
          .slice(first - 1, last)
          .join('\n')
          .replace(/\s+$/, '');
      }
      return this.code.slice(node.from, node.to).replace(/\s+$/, '');
    }

    private text(node: SyntaxNode): string {
      return this.code.slice(node.from, node.to);
    }

    // ---- name resolution -------------------------------------------------------------------------

    /** The scope that binds `name` as seen from `scope`, or undefined for the notebook (global) namespace. */
    private resolve(name: string, scope: Scope): Scope | undefined {
      for (let s: Scope | undefined = scope; s; s = s.parent) {
        if (s.kind === 'module') return undefined;
        // Names bound in a class body are not visible inside its methods.
        if (s.kind === 'class' && s !== scope) continue;
        if (s.globals.has(name)) return undefined;
        if (s.locals.has(name) || s.params.has(name)) return s;
      }
      return undefined;
    }

    /** The innermost function whose call-time facts collect what `scope` does, if any. */
    private functionOf(scope: Scope): FunctionFacts | undefined {
      for (let s: Scope | undefined = scope; s; s = s.parent) if (s.facts) return s.facts;
      return undefined;
    }

    private read(name: string, scope: Scope, at: number): void {
      if (this.resolve(name, scope)) return;
      const facts = this.functionOf(scope);
      if (DYNAMIC_BUILTINS.has(name)) this.dynamic(name, scope, at);
      if (facts) pushUnique(facts.reads, name);
      else this.events.push({ op: 'read', name, line: this.line(at) });
    }

    private dynamic(what: string, scope: Scope, at: number): void {
      const line = this.line(at);
      const facts = this.functionOf(scope);
      if (facts) facts.dynamic = true;
      else this.events.push({ op: 'dynamic', line, what });
      this.problems.push({
        code: 'dynamic-code',
        line,
        message: `line ${line}: ${what}() hides which names are used; every live value is passed`,
      });
    }

    private bind(
      name: string,
      scope: Scope,
      at: number,
      code?: CodeKind,
      extra: { module?: string; made?: string } = {},
    ): void {
      let s = scope;
      while (s.kind === 'comprehension' && s.parent) s = s.parent;
      if (s.kind === 'module' || s.globals.has(name)) {
        const facts = this.functionOf(s);
        if (facts && s.kind !== 'module') pushUnique(facts.writes, name);
        else {
          // A binding that may not happen (inside if/for/while/try/match) keeps the earlier value alive.
          if (this.conditional > 0) this.events.push({ op: 'read', name, line: this.line(at), deferred: true });
          this.events.push({ op: 'write', name, line: this.line(at), ...(code ? { code } : {}), ...extra });
        }
      } else {
        s.locals.add(name);
        s.aliases.delete(name);
      }
    }

    private mutate(name: string, scope: Scope, at: number, detail: { path?: string; how?: string } = {}): void {
      const owner = this.resolve(name, scope);
      if (!owner) {
        const facts = this.functionOf(scope);
        if (facts) pushUnique(facts.mutates, name);
        else this.events.push({ op: 'mutate', name, line: this.line(at), ...detail });
        return;
      }
      const facts = owner.facts ?? this.functionOf(owner);
      if (!facts) return;
      if (owner.params.has(name)) facts.mutatesParams = true;
      for (const target of owner.aliases.get(name) ?? []) {
        if (owner.params.has(target)) facts.mutatesParams = true;
        else pushUnique(facts.mutates, target);
      }
    }

    private alias(name: string, targets: string[], scope: Scope): void {
      if (targets.length === 0) return;
      const owner = this.resolve(name, scope);
      if (!owner) {
        if (!this.functionOf(scope)) this.events.push({ op: 'alias', name, targets });
        return;
      }
      const roots = new Set<string>();
      for (const target of targets) {
        const targetOwner = this.resolve(target, scope);
        if (!targetOwner) roots.add(target);
        else if (targetOwner.params.has(target)) roots.add(target);
        else for (const root of targetOwner.aliases.get(target) ?? []) roots.add(root);
      }
      if (roots.size > 0) owner.aliases.set(name, new Set([...(owner.aliases.get(name) ?? []), ...roots]));
    }

    // ---- statements -------------------------------------------------------------------------------

    private body(node: SyntaxNode, scope: Scope): void {
      for (const child of children(node)) this.statement(child, scope);
    }

    private statement(node: SyntaxNode, scope: Scope): void {
      if (!Private.BRANCHING.has(node.name)) return this.simpleStatement(node, scope);
      this.conditional++;
      try {
        this.simpleStatement(node, scope);
      } finally {
        this.conditional--;
      }
    }

    private simpleStatement(node: SyntaxNode, scope: Scope): void {
      const parts = children(node);
      switch (node.name) {
        case 'Body':
        case 'StatementGroup':
          return this.body(node, scope);
        case 'AssignStatement':
          return this.assignment(parts, scope);
        case 'UpdateStatement': {
          const [target, , value] = parts;
          if (value) this.expression(value, scope);
          if (!target) return;
          if (target.name === 'VariableName') {
            const name = this.text(target);
            this.read(name, scope, target.from);
            this.mutate(name, scope, target.from);
            this.bind(name, scope, target.from);
          } else {
            this.target(target, scope);
          }
          return;
        }
        case 'ExpressionStatement':
        case 'ReturnStatement':
        case 'YieldStatement':
        case 'RaiseStatement':
        case 'AssertStatement':
        case 'PrintStatement':
          for (const part of parts) this.expression(part, scope);
          return;
        case 'DeleteStatement':
          for (const part of parts) {
            if (part.name === 'VariableName') {
              const name = this.text(part);
              if (scope.kind === 'module' || scope.globals.has(name)) {
                // `if c: del x` may leave x bound: the step re-produces x (as a conditional binding would).
                if (scope.kind === 'module' && this.conditional === 0)
                  this.events.push({ op: 'delete', name, line: this.line(part.from) });
                else this.bind(name, scope, part.from);
              }
            } else if (part.name !== 'del' && part.name !== ',') {
              this.target(part, scope);
            }
          }
          return;
        case 'ImportStatement':
          return this.importStatement(node, parts, scope);
        case 'ScopeStatement': {
          const isGlobal = parts[0]?.name === 'global';
          for (const part of parts) {
            if (part.name !== 'VariableName') continue;
            if (isGlobal) scope.globals.add(this.text(part));
          }
          return;
        }
        case 'IfStatement':
        case 'WhileStatement':
          for (const part of parts) {
            if (part.name === 'Body') this.body(part, scope);
            else this.expression(part, scope);
          }
          return;
        case 'ForStatement':
          return this.forStatement(parts, scope);
        case 'TryStatement':
          return this.tryStatement(parts, scope);
        case 'WithStatement':
          return this.withStatement(parts, scope);
        case 'FunctionDefinition':
          return this.functionDefinition(node, scope, []);
        case 'ClassDefinition':
          return this.classDefinition(node, scope, []);
        case 'DecoratedStatement': {
          const decorators = parts.filter((part) => part.name === 'Decorator');
          const definition = parts.find((part) => part.name !== 'Decorator');
          if (definition?.name === 'ClassDefinition') this.classDefinition(definition, scope, decorators);
          else if (definition) this.functionDefinition(definition, scope, decorators);
          return;
        }
        case 'MatchStatement':
          return this.matchStatement(parts, scope);
        case 'TypeDefinition': {
          const name = parts.find((part) => part.name === 'VariableName');
          for (const part of parts) if (part !== name) this.expression(part, scope);
          if (name) this.bind(this.text(name), scope, name.from, 'class');
          return;
        }
        default:
          for (const part of parts) this.expression(part, scope);
      }
    }

    private assignment(parts: SyntaxNode[], scope: Scope): void {
      const lastOp = parts.map((part) => part.name).lastIndexOf('AssignOp');
      if (lastOp < 0) {
        // Annotated name without a value: evaluates the annotation at module level, binds nothing.
        for (const part of parts) if (part.name === 'TypeDef') this.expression(part, scope);
        return;
      }
      const value = parts.slice(lastOp + 1);
      for (const part of value) this.expression(part, scope);
      const targets = this.aliasRoots(value);
      const made = value.length === 1 && value[0] ? this.madeOf(value[0]) : undefined;
      for (const part of parts.slice(0, lastOp)) {
        if (part.name === 'AssignOp' || part.name === ',' || part.name === '*') continue;
        if (part.name === 'TypeDef') {
          this.expression(part, scope);
          continue;
        }
        this.target(part, scope, targets, made);
      }
      // `a = b = []`: every name of a chained assignment is bound to the same object.
      const chained = parts.slice(0, lastOp).filter((part) => part.name === 'VariableName');
      if (parts.filter((part) => part.name === 'AssignOp').length < 2) return;
      for (const name of chained) {
        const others = chained.filter((other) => other !== name).map((other) => this.text(other));
        this.alias(this.text(name), others, scope);
      }
    }

    /** Binds or mutates an assignment target; `aliasTargets` are the names the assigned value may share objects with. */
    private target(node: SyntaxNode, scope: Scope, aliasTargets: string[] = [], made?: string): void {
      switch (node.name) {
        case 'VariableName': {
          const name = this.text(node);
          this.bind(name, scope, node.from, undefined, made ? { made } : {});
          this.alias(name, aliasTargets, scope);
          return;
        }
        case 'MemberExpression': {
          for (const part of children(node)) this.expression(part, scope);
          const root = this.rootName(node);
          if (!root) return;
          this.mutate(root, scope, node.from, { path: this.dottedPrefix(node), how: '=' });
          // `d[k] = v`, `o.a = v`: the object now holds v.
          this.alias(root, aliasTargets, scope);
          return;
        }
        case 'TupleExpression':
        case 'ArrayExpression':
        case 'ParenthesizedExpression':
          for (const part of children(node)) {
            if (
              part.name !== ',' &&
              part.name !== '(' &&
              part.name !== ')' &&
              part.name !== '[' &&
              part.name !== ']' &&
              part.name !== '*'
            ) {
              this.target(part, scope, aliasTargets);
            }
          }
          return;
        default:
          this.expression(node, scope);
      }
    }

    private importStatement(node: SyntaxNode, parts: SyntaxNode[], scope: Scope): void {
      const line = this.line(node.from);
      if (parts[0]?.name === 'from') {
        const importAt = parts.findIndex((part) => part.name === 'import');
        const module = parts
          .slice(1, importAt)
          .map((part) => this.text(part))
          .join('');
        const names = parts.slice(importAt + 1);
        if (names.some((part) => part.name === '*')) {
          const facts = this.functionOf(scope);
          if (facts) facts.dynamic = true;
          else this.events.push({ op: 'star', line, module });
          this.problems.push({
            code: 'star-import',
            line,
            message: `line ${line}: 'from ${module} import *' hides which names it binds; unresolved names are taken from it`,
          });
          return;
        }
        for (let i = 0; i < names.length; i++) {
          const part = names[i];
          if (part?.name !== 'VariableName') continue;
          if (names[i + 1]?.name === 'as') continue;
          const imported = names[i - 1]?.name === 'as' ? names[i - 2] : part;
          const path = `${module}${module.endsWith('.') ? '' : '.'}${imported ? this.text(imported) : ''}`;
          this.bind(this.text(part), scope, part.from, 'module', { module: path });
        }
        return;
      }
      // `import a.b.c` binds `a`; `import a.b as c` binds `c`.
      let expectingName = true;
      let dotted: string[] = [];
      for (let i = 1; i < parts.length; i++) {
        const part = parts[i];
        if (!part) continue;
        if (part.name === ',') {
          expectingName = true;
          continue;
        }
        if (part.name !== 'VariableName') continue;
        const aliased = parts.slice(i + 1).find((next) => next.name === 'as' || next.name === ',');
        if (expectingName) dotted = [];
        if (parts[i - 1]?.name !== 'as') dotted.push(this.text(part));
        if (parts[i - 1]?.name === 'as')
          this.bind(this.text(part), scope, part.from, 'module', { module: dotted.join('.') });
        else if (expectingName && aliased?.name !== 'as')
          this.bind(this.text(part), scope, part.from, 'module', { module: this.text(part) });
        expectingName = false;
      }
    }

    private forStatement(parts: SyntaxNode[], scope: Scope): void {
      const inAt = parts.findIndex((part) => part.name === 'in');
      const iterable = parts.slice(inAt + 1).filter((part) => part.name !== 'Body');
      for (const part of iterable) this.expression(part, scope);
      const targets = this.aliasRoots(iterable);
      const names = parts.slice(0, inAt).filter((part) => !['for', 'async', ','].includes(part.name));
      // `for k, v in d.items()` / `for i, x in enumerate(xs)`: the key or counter is not part of the container.
      const keyed = names.length === 2 && iterable.length === 1 && this.yieldsKeyFirst(iterable[0] as SyntaxNode);
      // Looping over a literal that has items always binds the targets.
      const literal = iterable.length === 1 && ['TupleExpression', 'ArrayExpression'].includes(iterable[0]?.name ?? '');
      const certain = literal && children(iterable[0] as SyntaxNode).some((part) => !'()[],'.includes(part.name));
      if (certain) this.conditional--;
      names.forEach((part, i) => this.target(part, scope, keyed && i === 0 ? [] : targets));
      if (certain) this.conditional++;
      for (const part of parts) if (part.name === 'Body') this.body(part, scope);
    }

    private yieldsKeyFirst(node: SyntaxNode): boolean {
      if (node.name !== 'CallExpression') return false;
      const callee = node.firstChild;
      if (callee?.name === 'VariableName') return this.text(callee) === 'enumerate';
      return (
        callee?.name === 'MemberExpression' && callee.lastChild !== null && this.text(callee.lastChild) === 'items'
      );
    }

    private tryStatement(parts: SyntaxNode[], scope: Scope): void {
      let exceptName: SyntaxNode | undefined;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (!part) continue;
        if (part.name === 'Body') {
          this.body(part, scope);
          if (exceptName) {
            // `except E as e` unbinds `e` when the handler ends.
            const name = this.text(exceptName);
            if (scope.kind === 'module') this.events.push({ op: 'delete', name, line: this.line(exceptName.from) });
            exceptName = undefined;
          }
        } else if (part.name === 'VariableName' && parts[i - 1]?.name === 'as') {
          this.bind(this.text(part), scope, part.from);
          exceptName = part;
        } else if (!['try', 'except', 'finally', 'else', 'as', '*', ','].includes(part.name)) {
          this.expression(part, scope);
        }
      }
    }

    private withStatement(parts: SyntaxNode[], scope: Scope): void {
      let lastItem: SyntaxNode[] = [];
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (!part || part.name === 'with' || part.name === 'async' || part.name === ',' || part.name === 'as') continue;
        if (part.name === 'Body') {
          this.body(part, scope);
        } else if (parts[i - 1]?.name === 'as') {
          this.target(part, scope, this.aliasRoots(lastItem));
        } else {
          this.expression(part, scope);
          lastItem = [part];
        }
      }
    }

    private matchStatement(parts: SyntaxNode[], scope: Scope): void {
      for (const part of parts) {
        if (part.name !== 'MatchBody') {
          if (part.name !== 'match') this.expression(part, scope);
          continue;
        }
        for (const clause of children(part)) {
          if (clause.name !== 'MatchClause') continue;
          for (const piece of children(clause)) {
            if (piece.name === 'Body') this.body(piece, scope);
            else if (piece.name === 'Guard') for (const g of children(piece)) this.expression(g, scope);
            else if (piece.name !== 'case') this.pattern(piece, scope);
          }
        }
      }
    }

    private pattern(node: SyntaxNode, scope: Scope): void {
      const parts = children(node);
      switch (node.name) {
        case 'CapturePattern': {
          const name = parts[0];
          if (name && this.text(name) !== '_') this.bind(this.text(name), scope, name.from);
          return;
        }
        case 'AsPattern':
          for (let i = 0; i < parts.length; i++) {
            const part = parts[i];
            if (!part) continue;
            if (part.name === 'VariableName' && parts[i - 1]?.name === 'as')
              this.bind(this.text(part), scope, part.from);
            else if (part.name !== 'as') this.pattern(part, scope);
          }
          return;
        case 'ClassPattern':
        case 'AttributePattern':
          for (const part of parts) {
            if (part.name === 'VariableName' && part === parts[0]) this.read(this.text(part), scope, part.from);
            else this.pattern(part, scope);
          }
          return;
        case 'KeywordPattern':
          for (const part of parts.slice(1)) this.pattern(part, scope);
          return;
        case 'LiteralPattern':
          return;
        default:
          for (const part of parts) {
            if (part.name === 'VariableName') this.bind(this.text(part), scope, part.from);
            else this.pattern(part, scope);
          }
      }
    }

    private functionDefinition(node: SyntaxNode, scope: Scope, decorators: SyntaxNode[]): void {
      const definitionStart = this.events.length;
      for (const decorator of decorators) this.decorator(decorator, scope);
      const parts = children(node);
      const nameNode = parts.find((part) => part.name === 'VariableName');
      const params = parts.find((part) => part.name === 'ParamList');
      const body = parts.find((part) => part.name === 'Body');
      const inner = Walker.scope('function', scope);
      inner.facts = emptyFacts();
      if (params) this.parameters(params, scope, inner);
      for (const part of parts) if (part.name === 'TypeDef') this.expression(part, scope);
      const definitionReads: string[] = [];
      for (const event of this.events.slice(definitionStart)) {
        if (event.op === 'read' && !event.deferred) pushUnique(definitionReads, event.name);
      }
      if (body) this.functionBody(body, inner);
      const name = nameNode ? this.text(nameNode) : '';
      if (scope.methods) scope.methods[name] = inner.facts;
      else this.mergeInto(scope, inner.facts);
      if (!nameNode) return;
      if (scope.kind === 'module') {
        this.definitions.push({
          name,
          kind: 'function',
          facts: inner.facts,
          decorators: decorators.map((decorator) => this.decoratorName(decorator)),
          definitionReads,
        });
      }
      this.bind(name, scope, nameNode.from, 'function');
    }

    /** `@functools.lru_cache(maxsize=1)` → `functools.lru_cache`; any other expression → ''. */
    private decoratorName(node: SyntaxNode): string {
      const parts = children(node).filter((part) => part.name !== 'At');
      if (parts[parts.length - 1]?.name === 'ArgList') parts.pop();
      const dotted = parts.every((part, i) => part.name === (i % 2 === 0 ? 'VariableName' : '.'));
      return dotted && parts.length % 2 === 1 ? parts.map((part) => this.text(part)).join('') : '';
    }

    private classDefinition(node: SyntaxNode, scope: Scope, decorators: SyntaxNode[]): void {
      for (const decorator of decorators) this.decorator(decorator, scope);
      const parts = children(node);
      const nameNode = parts.find((part) => part.name === 'VariableName');
      for (const part of parts) if (part.name === 'ArgList') this.argList(part, scope);
      const inner = Walker.scope('class', scope);
      inner.methods = {};
      const body = parts.find((part) => part.name === 'Body');
      if (body) this.body(body, inner);
      const facts = emptyFacts();
      for (const method of Object.values(inner.methods)) Walker.merge(facts, method);
      if (scope.kind !== 'module') this.mergeInto(scope, facts);
      if (!nameNode) return;
      const name = this.text(nameNode);
      if (scope.kind === 'module') this.definitions.push({ name, kind: 'class', facts, methods: inner.methods });
      this.bind(name, scope, nameNode.from, 'class');
    }

    /** A nested function or lambda may run whenever its enclosing function runs: its effects become the parent's. */
    private mergeInto(scope: Scope, facts: FunctionFacts): void {
      const parent = this.functionOf(scope);
      if (!parent) return;
      Walker.merge(parent, facts);
      parent.makesClosures = true;
    }

    static merge(into: FunctionFacts, from: FunctionFacts): void {
      for (const name of from.reads) pushUnique(into.reads, name);
      for (const name of from.writes) pushUnique(into.writes, name);
      for (const name of from.mutates) pushUnique(into.mutates, name);
      for (const name of from.forwardsParamsTo) pushUnique(into.forwardsParamsTo, name);
      into.calls.push(...from.calls);
      into.mutatesParams ||= from.mutatesParams;
      into.dynamic ||= from.dynamic;
    }

    private decorator(node: SyntaxNode, scope: Scope): void {
      const parts = children(node);
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (!part || part.name === 'At' || part.name === '.') continue;
        if (part.name === 'VariableName' && parts[i - 1]?.name === '.') continue;
        if (part.name === 'ArgList') this.argList(part, scope);
        else this.expression(part, scope);
      }
    }

    /** Defaults and annotations are evaluated in the defining scope; the parameter names bind in the function. */
    private parameters(list: SyntaxNode, outer: Scope, inner: Scope): void {
      const parts = children(list);
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (!part) continue;
        if (part.name === 'VariableName' && parts[i - 1]?.name !== 'AssignOp') inner.params.add(this.text(part));
        else if (part.name === 'TypeDef') this.expression(part, outer);
        else if (parts[i - 1]?.name === 'AssignOp') this.expression(part, outer);
      }
    }

    private functionBody(body: SyntaxNode, inner: Scope): void {
      this.collectLocals(body, inner);
      if (body.name === 'Body') this.body(body, inner);
      else this.expression(body, inner);
    }

    /** Python decides locality per function: any binding anywhere in the body makes a name local. */
    private collectLocals(node: SyntaxNode, scope: Scope): void {
      const visit = (current: SyntaxNode): void => {
        for (const child of children(current)) {
          const name = child.name;
          if (name === 'ScopeStatement') {
            const parts = children(child);
            if (parts[0]?.name === 'global')
              for (const p of parts) if (p.name === 'VariableName') scope.globals.add(this.text(p));
            continue;
          }
          if (name === 'FunctionDefinition' || name === 'ClassDefinition') {
            const n = children(child).find((p) => p.name === 'VariableName');
            if (n) scope.locals.add(this.text(n));
            if (name === 'ClassDefinition') continue;
            continue;
          }
          if (name === 'LambdaExpression') continue;
          if (name === 'NamedExpression') {
            const n = child.firstChild;
            if (n?.name === 'VariableName') scope.locals.add(this.text(n));
          }
          if (COMPREHENSIONS.has(name)) {
            visit(child);
            continue;
          }
          this.collectBindingsOf(child, scope);
          visit(child);
        }
      };
      visit(node);
      for (const name of scope.globals) scope.locals.delete(name);
    }

    /** Names a single statement binds directly (not inside nested scopes). */
    private collectBindingsOf(node: SyntaxNode, scope: Scope): void {
      const parts = children(node);
      const addTargets = (target: SyntaxNode): void => {
        if (target.name === 'VariableName') scope.locals.add(this.text(target));
        else if (['TupleExpression', 'ArrayExpression', 'ParenthesizedExpression'].includes(target.name)) {
          for (const p of children(target)) addTargets(p);
        }
      };
      switch (node.name) {
        case 'AssignStatement': {
          const lastOp = parts.map((p) => p.name).lastIndexOf('AssignOp');
          for (const p of parts.slice(0, Math.max(lastOp, 0))) addTargets(p);
          return;
        }
        case 'UpdateStatement':
          if (parts[0]) addTargets(parts[0]);
          return;
        case 'ForStatement': {
          const inAt = parts.findIndex((p) => p.name === 'in');
          for (const p of parts.slice(0, inAt)) addTargets(p);
          return;
        }
        case 'WithStatement':
        case 'TryStatement':
          parts.forEach((p, i) => {
            if (parts[i - 1]?.name === 'as') addTargets(p);
          });
          return;
        case 'DeleteStatement':
          for (const p of parts) addTargets(p);
          return;
        case 'ImportStatement': {
          const importAt = parts.findIndex((p) => p.name === 'import');
          const from = parts[0]?.name === 'from';
          parts.forEach((p, i) => {
            if (p.name !== 'VariableName') return;
            if (from && i < importAt) return;
            const next = parts[i + 1]?.name;
            if (next === 'as') return;
            if (parts[i - 1]?.name === '.') return;
            scope.locals.add(this.text(p));
          });
          return;
        }
        case 'CapturePattern':
        case 'AsPattern':
          parts.forEach((p, i) => {
            if (p.name === 'VariableName' && (node.name === 'CapturePattern' || parts[i - 1]?.name === 'as')) {
              scope.locals.add(this.text(p));
            }
          });
          return;
        default:
      }
    }

    // ---- expressions ------------------------------------------------------------------------------

    private expression(node: SyntaxNode, scope: Scope): void {
      switch (node.name) {
        case 'VariableName':
          return this.read(this.text(node), scope, node.from);
        case 'PropertyName':
        case 'String':
        case 'Number':
        case 'Boolean':
        case 'None':
        case 'Ellipsis':
        case 'Comment':
          return;
        case 'CallExpression':
          return this.call(node, scope);
        case 'ArgList':
          return this.argList(node, scope);
        case 'NamedExpression': {
          const [target, , value] = children(node);
          if (value) this.expression(value, scope);
          if (target) this.bind(this.text(target), scope, target.from);
          if (target && value) this.alias(this.text(target), this.aliasRoots([value]), scope);
          return;
        }
        case 'LambdaExpression': {
          const parts = children(node);
          const inner = Walker.scope('function', scope);
          inner.facts = emptyFacts();
          const params = parts.find((part) => part.name === 'ParamList');
          if (params) this.parameters(params, scope, inner);
          const body = parts[parts.length - 1];
          if (body && body !== params) this.functionBody(body, inner);
          const enclosing = this.functionOf(scope);
          if (enclosing) this.mergeInto(scope, inner.facts);
          else this.replayAtDefinition(inner.facts, node.from);
          return;
        }
        default:
          if (COMPREHENSIONS.has(node.name)) return this.comprehension(node, scope);
          for (const part of children(node)) this.expression(part, scope);
      }
    }

    /** A lambda stored in the notebook namespace is pickled with what it refers to: count its reads where it is made. */
    private replayAtDefinition(facts: FunctionFacts, at: number): void {
      this.lambdas ??= emptyFacts();
      Walker.merge(this.lambdas, facts);
      const line = this.line(at);
      for (const name of facts.reads) this.events.push({ op: 'read', name, line, deferred: true });
      for (const name of facts.mutates) this.events.push({ op: 'mutate', name, line });
      for (const name of facts.writes) this.events.push({ op: 'write', name, line });
      for (const call of facts.calls) this.events.push({ op: 'call', ...call, line });
      if (facts.dynamic) this.events.push({ op: 'dynamic', line, what: 'lambda' });
    }

    private comprehension(node: SyntaxNode, scope: Scope): void {
      const parts = children(node).filter((part) => !['[', ']', '{', '}', '(', ')'].includes(part.name));
      const inner = Walker.scope('comprehension', scope);
      // Bind every loop target first so the element expression sees them, then walk in order.
      let firstIterable = true;
      const clauses: { targets: SyntaxNode[]; iterable: SyntaxNode[] }[] = [];
      const heads: SyntaxNode[] = [];
      let current: { targets: SyntaxNode[]; iterable: SyntaxNode[] } | undefined;
      let mode: 'head' | 'targets' | 'iterable' | 'if' = 'head';
      const conditions: SyntaxNode[] = [];
      for (const part of parts) {
        if (part.name === 'for') {
          current = { targets: [], iterable: [] };
          clauses.push(current);
          mode = 'targets';
        } else if (part.name === 'in' && mode === 'targets') {
          mode = 'iterable';
        } else if (part.name === 'if') {
          mode = 'if';
        } else if (part.name === 'async' || part.name === ',' || part.name === ':') {
          continue;
        } else if (mode === 'head') {
          heads.push(part);
        } else if (mode === 'targets') {
          current?.targets.push(part);
        } else if (mode === 'iterable') {
          current?.iterable.push(part);
        } else {
          conditions.push(part);
        }
      }
      for (const clause of clauses) {
        for (const part of clause.iterable) this.expression(part, firstIterable ? scope : inner);
        firstIterable = false;
        for (const target of clause.targets) this.comprehensionTarget(target, inner);
      }
      for (const part of [...conditions, ...heads]) this.expression(part, inner);
    }

    private comprehensionTarget(node: SyntaxNode, scope: Scope): void {
      if (node.name === 'VariableName') scope.locals.add(this.text(node));
      else for (const part of children(node)) this.comprehensionTarget(part, scope);
    }

    private argList(node: SyntaxNode, scope: Scope): void {
      const parts = children(node);
      // `f(x for x in xs)`: a bare generator argument has its own scope.
      if (parts.some((part) => part.name === 'for')) return this.comprehension(node, scope);
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (!part) continue;
        if (part.name === 'VariableName' && parts[i + 1]?.name === 'AssignOp') continue;
        this.expression(part, scope);
      }
    }

    private call(node: SyntaxNode, scope: Scope): void {
      const [callee, args] = children(node);
      if (!callee) return;
      this.expression(callee, scope);
      if (args) this.argList(args, scope);
      const argParts = args && !children(args).some((part) => part.name === 'for') ? children(args) : [];
      const inplace = argParts.some(
        (part, i) =>
          part.name === 'VariableName' &&
          this.text(part) === 'inplace' &&
          argParts[i + 1]?.name === 'AssignOp' &&
          this.text(argParts[i + 2] ?? part) === 'True',
      );
      const argRoots: string[] = [];
      for (let i = 0; i < argParts.length; i++) {
        const part = argParts[i];
        if (!part || (part.name === 'VariableName' && argParts[i + 1]?.name === 'AssignOp')) continue;
        const root = this.rootName(part);
        if (root) argRoots.push(root);
      }
      let attribute: string | undefined;
      let receiver: SyntaxNode | undefined;
      if (callee.name === 'MemberExpression') {
        const parts = children(callee);
        const last = parts[parts.length - 1];
        if (last?.name === 'PropertyName') {
          attribute = this.text(last);
          receiver = parts[0];
        }
      }
      const calleeRoot = this.rootName(receiver ?? callee);
      if (receiver && attribute) {
        const root = this.rootName(receiver);
        if (root && methodMayMutate(attribute, inplace)) {
          this.mutate(root, scope, node.from, { path: this.dottedPrefix(receiver), how: attribute });
          // `frames.append(df)`: the receiver may now hold its arguments.
          this.alias(root, argRoots, scope);
        } else if (root && RECEIVER_DEPENDENT_METHODS.has(attribute)) {
          // Inside a function the receiver's type is unknown: conservative.
          if (this.functionOf(scope) || this.resolve(root, scope)) this.mutate(root, scope, node.from);
          else this.events.push({ op: 'method', name: root, method: attribute, line: this.line(node.from) });
        }
      }
      const mutatesArgs = functionMutatesArguments(attribute ?? calleeRoot ?? '');
      if (mutatesArgs) for (const root of argRoots) this.mutate(root, scope, node.from);
      // `np.add(a, 1, out=a)`: the `out=` array is written in place; `fit(X, random_state=rs)` advances `rs`.
      argParts.forEach((part, i) => {
        if (part.name !== 'VariableName' || argParts[i + 1]?.name !== 'AssignOp') return;
        const keyword = this.text(part);
        const value = argParts[i + 2];
        const root = value?.name === 'VariableName' ? this.text(value) : value ? this.rootName(value) : undefined;
        if (!root) return;
        if (keyword === 'out') this.mutate(root, scope, node.from);
        else if (GENERATOR_KEYWORDS.has(keyword) && value?.name === 'VariableName') {
          if (this.functionOf(scope) || this.resolve(root, scope)) this.mutate(root, scope, node.from);
          else this.events.push({ op: 'advance', name: root, line: this.line(node.from) });
        }
      });
      this.stringFacts(node, callee, argParts, attribute, scope);
      const facts = this.functionOf(scope);
      const globalArgs = argRoots.filter((root) => !this.resolve(root, scope));
      if (facts) {
        const paramArgs = argRoots.filter((root) => {
          const owner = this.resolve(root, scope);
          return (
            owner && (owner.params.has(root) || [...(owner.aliases.get(root) ?? [])].some((t) => owner.params.has(t)))
          );
        });
        if (
          paramArgs.length > 0 &&
          calleeRoot &&
          !attribute &&
          !BUILTINS.has(calleeRoot) &&
          !this.resolve(calleeRoot, scope)
        ) {
          pushUnique(facts.forwardsParamsTo, calleeRoot);
        }
        if (globalArgs.length > 0 || attribute || (calleeRoot && !BUILTINS.has(calleeRoot))) {
          facts.calls.push({
            ...(calleeRoot && !this.resolve(calleeRoot, scope) ? { callee: calleeRoot } : {}),
            ...(attribute ? { attribute } : {}),
            args: globalArgs,
          });
        }
      } else if (globalArgs.length > 0 || attribute || (calleeRoot && !BUILTINS.has(calleeRoot))) {
        this.events.push({
          op: 'call',
          ...(calleeRoot ? { callee: calleeRoot } : {}),
          ...(attribute ? { attribute } : {}),
          args: globalArgs,
          line: this.line(node.from),
        });
      }
    }

    /** Names inside query/eval strings are reads; path literals are files written or read. */
    private stringFacts(
      node: SyntaxNode,
      callee: SyntaxNode,
      argParts: SyntaxNode[],
      attribute: string | undefined,
      scope: Scope,
    ): void {
      const args = this.arguments(argParts);
      const strings = args.map((arg) => ({
        ...(arg.keyword ? { keyword: arg.keyword } : {}),
        value: arg.value.name === 'String' ? Private.stringValue(this.text(arg.value)) : undefined,
      }));
      const first = strings.find((arg) => !arg.keyword);
      if ((attribute === 'query' || attribute === 'eval') && first?.value !== undefined) {
        for (const { name, explicit } of namesInExpressionString(first.value)) {
          if (this.resolve(name, scope)) continue;
          const facts = this.functionOf(scope);
          if (facts) pushUnique(facts.reads, name);
          else
            this.events.push({ op: 'read', name, line: this.line(node.from), ...(explicit ? {} : { deferred: true }) });
        }
      }
      if (this.functionOf(scope)) return;
      const calleeName = attribute ?? (callee.name === 'VariableName' ? this.text(callee) : '');
      const receiverStrings: string[] = [];
      if (callee.name === 'MemberExpression' && callee.firstChild?.name === 'CallExpression') {
        const inner = callee.firstChild.lastChild;
        for (const part of inner?.name === 'ArgList' ? children(inner) : []) {
          const value = part.name === 'String' ? Private.stringValue(this.text(part)) : undefined;
          if (value !== undefined) receiverStrings.push(value);
        }
      }
      for (const file of fileFactsOfCall(calleeName, strings, receiverStrings)) {
        this.events.push({ op: 'file', ...file, line: this.line(node.from) });
      }
    }

    /** Call arguments with their keyword, if any (`*args`/`**kw` markers dropped). */
    private arguments(argParts: SyntaxNode[]): { keyword?: string; value: SyntaxNode }[] {
      const result: { keyword?: string; value: SyntaxNode }[] = [];
      for (let i = 0; i < argParts.length; i++) {
        const part = argParts[i] as SyntaxNode;
        if (['(', ')', ',', '*', '**', 'AssignOp'].includes(part.name)) continue;
        if (part.name === 'VariableName' && argParts[i + 1]?.name === 'AssignOp') {
          const value = argParts[i + 2];
          if (value) result.push({ keyword: this.text(part), value });
          i += 2;
          continue;
        }
        result.push({ value: part });
      }
      return result;
    }

    /** `sys.path` for `sys.path.append`'s receiver, `os.environ` for `os.environ["A"]`: the leading dotted names. */
    private dottedPrefix(node: SyntaxNode): string | undefined {
      const names: string[] = [];
      let current: SyntaxNode | null = node;
      while (current) {
        if (current.name === 'VariableName') {
          names.unshift(this.text(current));
          return names.join('.');
        }
        if (current.name !== 'MemberExpression') return undefined;
        const last: SyntaxNode | null = current.lastChild;
        if (last?.name === 'PropertyName') names.unshift(this.text(last));
        else names.length = 0;
        current = current.firstChild;
      }
      return undefined;
    }

    /** How an assigned value was made (see `FactEvent` write `made`), when that tells its type. */
    private madeOf(node: SyntaxNode): string | undefined {
      switch (node.name) {
        case 'SetExpression':
        case 'SetComprehensionExpression':
          return 'set';
        case 'ArrayExpression':
        case 'ArrayComprehensionExpression':
          return 'list';
        case 'DictionaryExpression':
        case 'DictionaryComprehensionExpression':
          return 'dict';
        case 'Number':
        case 'String':
        case 'Boolean':
        case 'None':
          return 'scalar';
        case 'UnaryExpression':
          return node.lastChild?.name === 'Number' ? 'scalar' : undefined;
        case 'VariableName':
          return `same:${this.text(node)}`;
        case 'CallExpression': {
          const callee = node.firstChild;
          const dotted = callee ? this.text(callee).replace(/\s+/g, '') : '';
          if (/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(dotted)) return `call:${dotted}`;
          const root = callee ? this.chainRoot(callee) : undefined;
          return root ? `of:${root}` : undefined;
        }
        case 'MemberExpression': {
          const root = this.chainRoot(node);
          return root ? `of:${root}` : undefined;
        }
        default:
          return undefined;
      }
    }

    /** The name at the start of a chain of attributes, subscripts and calls (`df` in `df[cols].dropna().x`). */
    private chainRoot(node: SyntaxNode): string | undefined {
      if (node.name === 'VariableName') return this.text(node);
      if (node.name === 'MemberExpression' || node.name === 'CallExpression')
        return node.firstChild ? this.chainRoot(node.firstChild) : undefined;
      return undefined;
    }

    /** The variable an expression's object belongs to: `x` for `x`, `x.a[1].b`, `x.get(k)`. */
    private rootName(node: SyntaxNode): string | undefined {
      if (node.name === 'VariableName') return this.text(node);
      if (node.name === 'MemberExpression') {
        const first = node.firstChild;
        return first ? this.rootName(first) : undefined;
      }
      if (node.name === 'ParenthesizedExpression') {
        const inner = children(node).filter((part) => part.name !== '(' && part.name !== ')');
        return inner.length === 1 && inner[0] ? this.rootName(inner[0]) : undefined;
      }
      if (node.name === 'CallExpression') {
        const callee = node.firstChild;
        if (callee?.name !== 'MemberExpression') return undefined;
        const property = callee.lastChild;
        if (property?.name === 'PropertyName' && ELEMENT_METHODS.has(this.text(property))) {
          return callee.firstChild ? this.rootName(callee.firstChild) : undefined;
        }
      }
      return undefined;
    }

    /** Names whose objects an expression's value may contain or be (conservative: containers, subscripts, copies of references). */
    private aliasRoots(nodes: SyntaxNode[]): string[] {
      const roots = new Set<string>();
      const visit = (node: SyntaxNode): void => {
        if (node.name === 'VariableName') {
          roots.add(this.text(node));
        } else if (node.name === 'MemberExpression') {
          const first = node.firstChild;
          if (first) visit(first);
        } else if (CONTAINERS.has(node.name)) {
          const parts = children(node);
          parts.forEach((part) => visit(part));
        } else if (COMPREHENSIONS.has(node.name)) {
          const parts = children(node);
          parts.forEach((part, i) => {
            if (parts[i - 1]?.name === 'in') visit(part);
          });
        } else if (node.name === 'CallExpression') {
          const callee = node.firstChild;
          const args = node.lastChild;
          // A call may keep its arguments in what it returns (`make_pipeline(scaler, model)`, `Box(xs)`,
          // `SimpleNamespace(item=inner)`, `np.asarray(a)`), keyword arguments too.
          const visitArgs = (): void => {
            if (!args || args.name !== 'ArgList' || children(args).some((part) => part.name === 'for')) return;
            const parts = children(args);
            parts.forEach((part, i) => {
              if (part.name === 'VariableName' && parts[i + 1]?.name === 'AssignOp') return;
              visit(part);
            });
          };
          if (callee?.name === 'VariableName') {
            if (!FRESH_CALLS.has(this.text(callee))) visitArgs();
          } else if (callee?.name === 'MemberExpression') {
            // A method may hand back part of its receiver (`ledger.open(name)` returns an account it keeps).
            const property = callee.lastChild;
            const method = property?.name === 'PropertyName' ? this.text(property) : '';
            const fresh = PURE_METHODS.has(method) || FRESH_RESULT_METHODS.has(method);
            const handsOutPart = ELEMENT_METHODS.has(method) || !fresh;
            if (handsOutPart && callee.firstChild) visit(callee.firstChild);
            if (!fresh || ALIASING_METHODS.has(method)) visitArgs();
          } else {
            visitArgs();
          }
        } else if (node.name === 'NamedExpression') {
          const value = node.lastChild;
          if (value) visit(value);
        }
      };
      for (const node of nodes) visit(node);
      return [...roots];
    }
  }
}
