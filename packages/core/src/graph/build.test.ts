import { buildNotebook, type CellSketch } from '../notebook/builder.js';
import { readNotebook } from '../notebook/read.js';
import { analyzeNotebook, graphErrors, graphToJson } from './build.js';
import type { PipelineGraph, PipelineStep } from './types.js';

/** One cell per step, named by the tag. */
function pipeline(steps: Record<string, string>, extra: CellSketch[] = []): PipelineGraph {
  const cells: CellSketch[] = [
    ...extra,
    ...Object.entries(steps).map(([name, source]) => ({ source, tags: [`step:${name}`] })),
  ];
  return analyzeNotebook(buildNotebook(cells));
}

function step(graph: PipelineGraph, name: string): PipelineStep {
  const found = graph.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step ${name} in ${graph.steps.map((s) => s.name).join(', ')}`);
  return found;
}

const inputs = (graph: PipelineGraph, name: string): string[] =>
  step(graph, name).inputs.map((input) => `${input.name}<-${input.from}:${input.kind}`);
const codes = (graph: PipelineGraph, name: string): string[] =>
  step(graph, name).code.map((dep) => dep.names.join(','));

describe('data edges', () => {
  test('a value read comes from the nearest earlier writer', () => {
    const graph = pipeline({ a: 'x = 1\ny = 2', b: 'x = y + 1', c: 'print(x, y)' });
    expect(inputs(graph, 'b')).toEqual(['y<-a:value']);
    expect(inputs(graph, 'c')).toEqual(['x<-b:value', 'y<-a:value']);
    expect(step(graph, 'c').after).toEqual(['a', 'b']);
    expect(step(graph, 'a').outputs).toEqual(['y']);
    expect(step(graph, 'b').outputs).toEqual(['x']);
  });

  test('a binding that may not happen keeps the earlier value as an input', () => {
    const graph = pipeline({
      a: 'x = 1\nrows = []\nlast = None',
      b: 'if len(rows) > 3:\n    x = 2\nfor last in rows:\n    pass\ntry:\n    y = 1 / len(rows)\nexcept ZeroDivisionError:\n    y = 0',
      c: 'print(x, last, y)',
    });
    expect(inputs(graph, 'b')).toEqual(['rows<-a:value', 'x<-a:value', 'last<-a:value']);
    const literal = pipeline({ a: 'd = 1', b: 'for d in (1, 2):\n    pass' });
    expect(inputs(literal, 'b')).toEqual([]);
    expect(inputs(graph, 'c')).toEqual(['x<-b:value', 'last<-b:value', 'y<-b:value']);
    expect(graph.warnings).toEqual([]);
  });

  test('names written before being read inside a step are not inputs', () => {
    const graph = pipeline({ a: 'x = 1', b: 'x = 5\nprint(x)' });
    expect(inputs(graph, 'b')).toEqual([]);
    expect(step(graph, 'b').after).toEqual([]);
  });

  test('a mutating method call makes the step the producer', () => {
    const graph = pipeline({ a: 'rows = []', b: 'rows.append(1)', c: 'print(len(rows))' });
    expect(inputs(graph, 'b')).toEqual(['rows<-a:value']);
    expect(inputs(graph, 'c')).toEqual(['rows<-b:value']);
  });

  test('known pure methods do not mutate', () => {
    const graph = pipeline({ a: 'df = load()', b: 'print(df.head(), df.describe())', c: 'print(df)' }, [
      'def load():\n    return [1]',
    ]);
    expect(inputs(graph, 'c')).toEqual(['df<-a:value']);
  });

  test('inplace=True mutates even a pure-named method', () => {
    const graph = pipeline({ a: 'df = make()', b: 'df.dropna(inplace=True)', c: 'print(df)' }, ['make = dict']);
    expect(inputs(graph, 'c')).toEqual(['df<-b:value']);
  });

  test('subscript, attribute and augmented assignment mutate', () => {
    const graph = pipeline({
      a: 'd = {}\no = object()\nl = [0]',
      b: 'd["k"] = 1\no.attr = 2\nl[0] += 1',
      c: 'print(d, o, l)',
    });
    expect(inputs(graph, 'c')).toEqual(['d<-b:value', 'o<-b:value', 'l<-b:value']);
  });

  test('del of a subscript mutates, del of a name unbinds', () => {
    const graph = pipeline({ a: 'd = {"k": 1}\ne = 2', b: 'del d["k"]\ndel e', c: 'print(d)\nprint(e)' });
    expect(inputs(graph, 'c')).toEqual(['d<-b:value']);
    expect(graph.warnings.map((w) => w.code)).toContain('unresolved-name');
  });

  test('mutation through an alias reaches the aliased globals', () => {
    const graph = pipeline({
      a: 'train = {}\ntest = {}',
      b: 'data = [train, test]\nfor d in data:\n    d["x"] = 1',
      c: 'print(train, test)',
    });
    expect(inputs(graph, 'b')).toEqual(['train<-a:value', 'test<-a:value']);
    expect(inputs(graph, 'c')).toEqual(['train<-b:value', 'test<-b:value']);
  });

  test('objects stored into a container by a method or a subscript are linked to it', () => {
    const graph = pipeline({
      a: 'jan = {}\nfeb = {}\nframes = []\nframes.append(jan)\nby_name = {}\nby_name["feb"] = feb',
      b: 'for f in frames:\n    f["x"] = 1\nfor g in by_name.values():\n    g["y"] = 2',
      c: 'print(jan, feb)',
    });
    expect(inputs(graph, 'c')).toEqual(['jan<-b:value', 'feb<-b:value']);
  });

  test('names bound by one chained assignment share their object', () => {
    const graph = pipeline({ a: 'history = log = []', b: 'log.append(1)', c: 'print(history)' });
    expect(inputs(graph, 'c')).toEqual(['history<-b:value']);
  });

  test('aliases made in one step are followed in a later step', () => {
    const graph = pipeline({ a: 'train = {}\ndata = [train]', b: 'for d in data:\n    d.clear()', c: 'print(train)' });
    expect(inputs(graph, 'c')).toEqual(['train<-b:value']);
  });

  test('targets of for, with, except, walrus, match and unpacking are writes', () => {
    const graph = pipeline({
      a: [
        'for i, (j, k) in [(1, (2, 3))]: pass',
        'with open(__file__) as fh: pass',
        'a, *rest = [1, 2, 3]',
        'if (n := 10) > 5: pass',
        'match [1, 2]:\n    case [first, *others]: pass',
        'match {"k": 1}:\n    case {"k": v}: pass',
        'import os.path\nfrom math import pi as PI, e',
        'class K: pass',
      ].join('\n'),
      b: 'print(i, j, k, fh, a, rest, n, first, others, v, os, PI, e, K)',
    });
    expect(inputs(graph, 'b').map((i) => i.split('<-')[0])).toEqual([
      'i',
      'j',
      'k',
      'fh',
      'a',
      'rest',
      'n',
      'first',
      'others',
      'v',
      'os',
      'PI',
      'e',
      'K',
    ]);
  });

  test('walrus inside a comprehension binds in the notebook namespace; loop variables do not leak', () => {
    const graph = pipeline({ a: 'xs = [1, 2]\nys = [last := x for x in xs]', b: 'print(last)\nprint(x)' });
    expect(inputs(graph, 'b')).toEqual(['last<-a:value']);
    expect(graph.warnings.find((w) => w.code === 'unresolved-name')?.message).toContain("'x'");
  });

  test('a generator argument has its own scope', () => {
    const graph = pipeline({
      a: 'x = "g"\nrows = [(1, "a")]',
      b: 'total = sum(x for x, _ in rows)\nkeys = {x: y for x, y in rows}',
    });
    expect(inputs(graph, 'b')).toEqual(['rows<-a:value']);
  });

  test('mutating part of a container changes the container but not its other parts', () => {
    const graph = pipeline({
      a: 'jan = {}\nfeb = {}\nmar = {}\nmonths = {"jan": jan, "feb": feb, "mar": mar}',
      b: 'for frame in (jan, feb):\n    frame["x"] = 1',
      c: 'print(jan, feb, mar, months)',
    });
    expect(inputs(graph, 'c')).toEqual(['jan<-b:value', 'feb<-b:value', 'mar<-a:value', 'months<-b:value']);
  });

  test('a random draw advances the generator but its result is a new object', () => {
    const graph = pipeline({
      a: 'import numpy as np\nrng = np.random.default_rng(1)',
      b: 'draw = rng.normal(size=3)',
      c: 'more = rng.integers(0, 9)',
      d: 'print(draw, more)',
    });
    expect(inputs(graph, 'c')).toEqual(['rng<-b:value']);
    expect(inputs(graph, 'd')).toEqual(['draw<-b:value', 'more<-c:value']);
  });

  test('except as unbinds the name after the handler', () => {
    const graph = pipeline({
      a: 'try:\n    1 / 0\nexcept ZeroDivisionError as err:\n    msg = str(err)',
      b: 'print(msg)\nprint(err)',
    });
    expect(inputs(graph, 'b')).toEqual(['msg<-a:value']);
    expect(graph.warnings.some((w) => w.code === 'unresolved-name' && w.message.includes("'err'"))).toBe(true);
  });

  test('an annotation without a value is not a write', () => {
    const graph = pipeline({ a: 'x = 1', b: 'x: int', c: 'print(x)' });
    expect(inputs(graph, 'c')).toEqual(['x<-a:value']);
  });

  test('the key of items() and the counter of enumerate() are not part of the container', () => {
    const graph = pipeline({
      a: 'frames = {"a": {}}\nrows = [{}]',
      b: 'for name, frame in frames.items():\n    pass\nfor i, row in enumerate(rows):\n    pass',
      c: 'frames["a"]["m"] = 1\nrows[0]["m"] = 1',
      d: 'print(name, i, frame, row)',
    });
    expect(inputs(graph, 'd')).toEqual(['name<-b:value', 'i<-b:value', 'frame<-c:value', 'row<-c:value']);
  });

  test('a name defined only in a skipped cell is reported as such', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        { source: 'a = 1', tags: ['step:a'] },
        { source: 'peek = a * 2', tags: ['skip'] },
        { source: 'print(peek)', tags: ['step:b'] },
      ]),
    );
    expect(graph.warnings.find((w) => w.code === 'unresolved-name')?.message).toBe(
      "cell 3 (id cell-2): line 1: 'peek' is only defined in skipped cell 2 (id cell-1), which the pipeline does not run",
    );
  });

  test('a rebound builtin name is an ordinary value', () => {
    const graph = pipeline({
      a: 'sum = 0\nfor v in [1, 2]:\n    sum += v\ninput = [sum]',
      b: 'print(sum, input, len(input))',
    });
    expect(inputs(graph, 'b')).toEqual(['sum<-a:value', 'input<-a:value']);
  });

  test('builtins are never inputs', () => {
    const graph = pipeline({ a: 'x = [3, 1]', b: 'print(sorted(x), len(x), range(2), ValueError)' });
    expect(inputs(graph, 'b')).toEqual(['x<-a:value']);
  });
});

describe('files written by cells', () => {
  test('steps after a %%writefile step run after it, though no name flows', () => {
    const graph = pipeline({
      write: '%%writefile helpers.py\ndef triple(x):\n    return 3 * x',
      other: 'z = 1',
      use: 'import helpers\nnumbers = [helpers.triple(n) for n in range(4)]',
    });
    expect(step(graph, 'other').after).toEqual(['write']);
    expect(step(graph, 'use').after).toEqual(['write']);
    expect(step(graph, 'write').after).toEqual([]);
    expect(inputs(graph, 'use')).toEqual([]);
  });

  test('%%bash writes nothing cellpipe can name, so it orders nothing', () => {
    const graph = pipeline({ shell: '%%bash\necho hi > out.txt', later: 'z = 1' });
    expect(step(graph, 'later').after).toEqual([]);
  });
});

describe('code dependencies', () => {
  test('imports, functions and classes are re-executed, not serialized', () => {
    const graph = pipeline({
      load: 'import numpy as np\nTHRESH = 2\ndef clip(v):\n    return np.minimum(v, THRESH)\nclass Box:\n    def area(self):\n        return SIDE ** 2\nSIDE = 3',
      use: 'y = clip(np.array([1, 5]))\nb = Box()',
    });
    expect(inputs(graph, 'use')).toEqual([
      'clip<-load:function',
      'np<-load:module',
      'THRESH<-load:value',
      'Box<-load:class',
      'SIDE<-load:value',
    ]);
    expect(codes(graph, 'use')).toEqual(['np', 'clip', 'Box']);
    expect(step(graph, 'use').code[1]?.source).toBe('def clip(v):\n    return np.minimum(v, THRESH)');
    expect(step(graph, 'load').outputs).toEqual(['THRESH', 'SIDE']);
  });

  test('functions called by functions are followed transitively', () => {
    const graph = pipeline({
      defs: 'import math\nK = 2\ndef inner(x):\n    return math.sqrt(x) * K\ndef outer(x):\n    return inner(x) + 1',
      use: 'print(outer(4))',
    });
    expect(inputs(graph, 'use')).toEqual([
      'outer<-defs:function',
      'inner<-defs:function',
      'math<-defs:module',
      'K<-defs:value',
    ]);
    expect(codes(graph, 'use')).toEqual(['math', 'inner', 'outer']);
  });

  test('pure decorators and import defaults are read where the function is defined; the def stays code', () => {
    const graph = pipeline({
      a: 'import functools\nimport math',
      b: '@functools.lru_cache(maxsize=None)\ndef f(x, y=math.pi, key=len):\n    return x + y',
      c: 'print(f(1))',
    });
    expect(inputs(graph, 'b')).toEqual(['functools<-a:module', 'math<-a:module']);
    expect(inputs(graph, 'c')).toEqual(['f<-b:function', 'functools<-a:module', 'math<-a:module']);
    expect(codes(graph, 'c')).toEqual(['functools', 'math', 'f']);
    expect(step(graph, 'c').code[2]?.source.startsWith('@functools.lru_cache')).toBe(true);
  });

  test('a function whose default reads a notebook value travels as a value from the step that defined it', () => {
    const graph = pipeline({
      define: 'base = 3\ndef weighted(x, factor=base):\n    return x * factor',
      rebind: 'base = 100',
      use: 'print(weighted(2), base)',
    });
    expect(inputs(graph, 'use')).toEqual(['weighted<-define:value', 'base<-rebind:value']);
    expect(codes(graph, 'use')).toEqual([]);
    expect(step(graph, 'define').outputs).toEqual(['weighted']);
  });

  test('a function made by a decorator with side effects travels as a value; its call-time reads stay inputs', () => {
    const graph = pipeline({
      registry:
        'REGISTRY = {}\nLIMIT = 2\ndef register(name):\n    def wrap(fn):\n        REGISTRY[name] = fn\n        return fn\n    return wrap',
      plugins: '@register("upper")\ndef to_upper(s):\n    return s.upper()[:LIMIT]',
      use: 'print(to_upper("x"), REGISTRY)',
    });
    expect(inputs(graph, 'use')).toEqual([
      'to_upper<-plugins:value',
      'LIMIT<-registry:value',
      'REGISTRY<-plugins:value',
    ]);
    expect(codes(graph, 'use')).toEqual([]);
    expect(step(graph, 'plugins').outputs).toEqual(['to_upper', 'REGISTRY']);
  });

  test('a pure-looking decorator name bound to a notebook value is not pure', () => {
    const graph = pipeline({
      a: 'from functools import cache\n@cache\ndef f():\n    return 1\ncached_property = lambda fn: fn\n@cached_property\ndef g():\n    return 2',
      b: 'print(f(), g())',
    });
    expect(inputs(graph, 'b')).toEqual(['f<-a:function', 'cache<-a:module', 'g<-a:value']);
    expect(codes(graph, 'b')).toEqual(['cache', 'f']);
  });

  test("a function's global writes and mutations happen in the calling step", () => {
    const graph = pipeline({
      a: 'count = 0\nlog = []\ndef bump():\n    global count\n    count += 1\n    log.append(count)',
      b: 'bump()',
      c: 'print(count, log)',
    });
    expect(inputs(graph, 'b')).toEqual(['bump<-a:function', 'count<-a:value', 'log<-a:value']);
    expect(inputs(graph, 'c')).toEqual(['count<-b:value', 'log<-b:value']);
  });

  test('a function that mutates its parameter mutates the argument', () => {
    const graph = pipeline({
      a: 'rows = [3]\ndef add_one(xs):\n    xs.append(1)\ndef wrap(xs):\n    add_one(xs)',
      b: 'wrap(rows)',
      c: 'print(rows)',
    });
    expect(inputs(graph, 'c')).toEqual(['rows<-b:value']);
  });

  test('library functions known to mutate their arguments mutate them', () => {
    const graph = pipeline({ a: 'import random\nxs = [1, 2, 3]', b: 'random.shuffle(xs)', c: 'print(xs)' });
    expect(inputs(graph, 'c')).toEqual(['xs<-b:value']);
  });

  test('lambdas read their globals where they are made; their parameters are local', () => {
    const graph = pipeline({ a: 'k = 3', b: 'f = lambda x, y=k: x * z', c: 'z = 1\nprint(f(2))' });
    expect(inputs(graph, 'b').map((i) => i.split('<-')[0])).toEqual(['k']);
    expect(graph.warnings).toEqual([]);
    expect(inputs(graph, 'c')).toEqual(['f<-b:value']);
  });

  test('a method called on a value brings the globals its class methods read', () => {
    const graph = pipeline({
      a: 'SCALE = 2\nclass Model:\n    def predict(self, x):\n        return x * SCALE\nm = Model()',
      b: 'print(m.predict(3))',
    });
    expect(inputs(graph, 'b')).toEqual(['m<-a:value', 'SCALE<-a:value']);
  });

  test('calling a closure returned by a user function reads the globals the closure reads', () => {
    const graph = pipeline({
      define: 'def make(offset):\n    def shift(xs):\n        return [x + offset + bias for x in xs]\n    return shift',
      rebind: 'bias = 0.5\nshift_one = make(1)',
      call: 'print(shift_one([1]))',
    });
    expect(inputs(graph, 'call')).toEqual(['shift_one<-rebind:value', 'bias<-rebind:value']);
  });

  test('a lambda handed to another call runs there', () => {
    const graph = pipeline({
      define: 'pairs = [("a", 3)]\nby_count = lambda pair: pair[WHICH]\nWHICH = 1',
      use: 'print(sorted(pairs, key=by_count))',
    });
    expect(inputs(graph, 'use')).toEqual(['pairs<-define:value', 'by_count<-define:value', 'WHICH<-define:value']);
  });

  test('a lambda kept in a container runs where it is called', () => {
    const graph = pipeline({
      define: 'ops = {"scale": lambda v: v * FACTOR}',
      rebind: 'FACTOR = 3',
      use: 'print(ops["scale"](2))',
    });
    expect(inputs(graph, 'use')).toEqual(['ops<-define:value', 'FACTOR<-rebind:value']);
    expect(graph.warnings).toEqual([]);
  });

  test('an object handed out by a method stays linked to its owner', () => {
    const graph = pipeline({
      open: 'class Ledger:\n    def __init__(self):\n        self.accounts = {}\n    def open(self, who):\n        self.accounts[who] = []\n        return self.accounts[who]\nledger = Ledger()\nalice = ledger.open("alice")',
      spend: 'alice.append(100)',
      report: 'print(ledger.accounts)',
    });
    expect(inputs(graph, 'report')).toEqual(['ledger<-spend:value']);
  });

  test('operators on instances of user classes run their dunder methods', () => {
    const graph = pipeline({
      define:
        'class Money:\n    def __init__(self, v):\n        self.v = v\n    def __add__(self, other):\n        return Money(round(self.v + other.v, DIGITS))',
      make: 'a = Money(1)\nb = Money(2)',
      config: 'DIGITS = 2',
      use: 'total = a + b',
    });
    expect(inputs(graph, 'use')).toEqual([
      'a<-make:value',
      'Money<-define:class',
      'DIGITS<-config:value',
      'b<-make:value',
    ]);
  });

  test('definitions lists every top-level import, def and class in notebook order, not functions that are values', () => {
    const graph = pipeline(
      {
        a: 'import os, numpy as np\nfrom math import *\ndef f(): pass\nx = 1\nclass C: pass',
        b: '@dec\ndef g(): pass\nfrom dataclasses import dataclass, field as fld\n@dataclass\nclass D:\n    n: int = 0',
      },
      ['dec = lambda f: f'],
    );
    expect(graph.definitions.map((d) => `${d.names.join()}:${d.kind}:${d.from}`)).toEqual([
      'os,np:module:a',
      'f:function:a',
      'C:class:a',
      'dataclass,fld:module:b',
      'D:class:b',
    ]);
  });

  test('imports/functions cells run before every step without edges', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        { source: 'import os\nSEED = 1', tags: ['imports'] },
        { source: 'def f():\n    return os.sep', tags: ['functions'] },
        { source: 'a = f()', tags: ['step:a'] },
        { source: 'print(a, SEED)', tags: ['step:b'] },
      ]),
    );
    expect(inputs(graph, 'b')).toEqual(['a<-a:value']);
    expect(codes(graph, 'b')).toEqual(['os', 'SEED', 'f']);
    expect(step(graph, 'a').cells).toEqual(['cell-2']);
  });
});

describe('parameters and metrics', () => {
  test('parameters are bound by the runtime; a rebound parameter is a value from then on', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        {
          source: 'scale = 3\nname = "x"  # comment\nsizes = [1, -2.5]\nopts = {"a": (1, 2), "b": None}',
          tags: ['pipeline-parameters'],
        },
        { source: 'y = scale * 2', tags: ['step:a'] },
        { source: 'def f():\n    return name', tags: ['step:b'] },
        { source: 'scale = 10\nprint(f(), sizes)', tags: ['step:c'] },
        { source: 'print(scale, opts)', tags: ['step:d'] },
      ]),
    );
    expect(graph.parameters).toEqual({ scale: 3, name: 'x', sizes: [1, -2.5], opts: { a: [1, 2], b: null } });
    expect(step(graph, 'a').parameters).toEqual(['scale']);
    expect(step(graph, 'c').parameters).toEqual(['name', 'sizes']);
    expect(inputs(graph, 'd')).toEqual(['scale<-c:value']);
    expect(step(graph, 'd').parameters).toEqual(['opts']);
    expect(step(graph, 'a').cells).toEqual(['cell-1']);
  });

  test('a non-literal parameter is an error naming the cell and line', () => {
    const graph = analyzeNotebook(
      buildNotebook([{ source: 'a = 1\nb = a + 1', tags: ['pipeline-parameters'] }, 'print(a)']),
    );
    const [error] = graphErrors(graph);
    expect(error).toMatchObject({ code: 'invalid-parameter', cellIndex: 0, line: 2 });
    expect(error?.message).toContain('line 2');
  });

  test('metrics are assigned to the step that last wrote them and the metrics cell does not run', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        { source: 'acc = 0.5\nloss = 1', tags: ['step:train'] },
        { source: 'acc = 0.9', tags: ['step:eval'] },
        { source: 'acc\nprint(loss)\nmissing', tags: ['pipeline-metrics'] },
      ]),
    );
    expect(step(graph, 'train').metrics).toEqual(['loss']);
    expect(step(graph, 'eval').metrics).toEqual(['acc']);
    expect(graph.steps.flatMap((s) => s.cells)).not.toContain('cell-2');
    expect(graph.warnings.find((w) => w.code === 'unknown-metric')?.message).toContain("'missing'");
  });
});

describe('steps and tags', () => {
  test('untagged cells join the step above; cells before the first tag join the first step; skip never runs', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        'a = 1',
        { source: 'b = a', tags: ['step:first'] },
        { source: 'x = 1', tags: ['skip'] },
        'c = b',
        { source: '# note', cellType: 'markdown' },
        { source: 'd = c', tags: ['step:second'] },
      ]),
    );
    expect(graph.steps.map((s) => [s.name, s.cells])).toEqual([
      ['first', ['cell-0', 'cell-1', 'cell-3']],
      ['second', ['cell-5']],
    ]);
  });

  test('a notebook without step tags runs as one step named after the notebook', () => {
    const graph = analyzeNotebook(buildNotebook(['a = 1', 'print(a)'], { name: 'work/My Analysis.ipynb' }));
    expect(graph.name).toBe('my-analysis');
    expect(graph.steps.map((s) => s.name)).toEqual(['my-analysis']);
  });

  test('an empty notebook has no steps and no errors', () => {
    const graph = analyzeNotebook(buildNotebook([]));
    expect(graph.steps).toEqual([]);
    expect(graphErrors(graph)).toEqual([]);
  });

  test('prev: adds an edge; unknown or later steps are errors naming the cell', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        { source: 'a = 1', tags: ['step:a'] },
        { source: 'b = 1', tags: ['step:b', 'prev:a', 'prev:nope'] },
        { source: 'c = 1', tags: ['step:c', 'prev:d'] },
        { source: 'd = 1', tags: ['step:d'] },
      ]),
    );
    expect(step(graph, 'b').after).toEqual(['a']);
    expect(graphErrors(graph).map((w) => [w.code, w.cellIndex])).toEqual([
      ['unknown-step', 1],
      ['later-step', 2],
    ]);
  });

  test('step names are normalised to RFC 1123 labels; collisions are errors', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        { source: 'a = 1', tags: ['step:Load_Data'] },
        { source: 'b = a', tags: ['step:load-data'] },
        { source: 'c = b', tags: ['step:données'] },
        { source: 'd = c', tags: ['step:数据'] },
      ]),
    );
    expect(graph.steps.map((s) => [s.name, s.displayName])).toEqual([
      ['load-data', 'Load_Data'],
      ['load-data', 'load-data'],
      ['donnees', 'données'],
      [expect.stringMatching(/^step-[0-9a-f]{8}$/), '数据'],
    ]);
    expect(graphErrors(graph).map((w) => w.code)).toEqual(['name-collision']);
    expect(graph.warnings.filter((w) => w.code === 'name-normalized')).toHaveLength(3);
  });

  test('a reused step name continues the step; a resulting cycle is an error naming the cells', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        { source: 'x = 1', tags: ['step:a'] },
        { source: 'y = x + 1', tags: ['step:b'] },
        { source: 'z = y + 1', tags: ['step:a'] },
      ]),
    );
    expect(step(graph, 'a').cells).toEqual(['cell-0', 'cell-2']);
    expect(graph.warnings.map((w) => w.code)).toContain('duplicate-step');
    const cycle = graphErrors(graph).find((w) => w.code === 'cycle');
    expect(cycle?.message).toContain('cell 3 (id cell-2)');
  });

  test('settings merge notebook defaults, Kale defaults and cell tags', () => {
    const graph = analyzeNotebook(
      buildNotebook(
        [
          { source: 'a = 1', tags: ['step:a', 'limit:memory:4Gi', 'label:team:ml'] },
          { source: 'b = a', tags: ['image:custom:1', 'timeout:1h30m', 'retry:2', 'cache:disabled', 'bogus'] },
        ],
        { settings: { image: 'base:1', stepDefaults: { labels: { env: 'dev' }, retries: 1 } } },
      ),
    );
    expect(step(graph, 'a').settings).toEqual({
      image: 'custom:1',
      limits: { memory: '4Gi' },
      labels: { env: 'dev', team: 'ml' },
      retries: 2,
      cache: false,
      timeoutSeconds: 5400,
    });
    expect(graph.warnings.find((w) => w.code === 'unknown-tag')).toMatchObject({ cellIndex: 1, cellId: 'cell-1' });
  });
});

describe('robustness', () => {
  test('a syntax error in one cell is reported with its line; the other cells are still analysed', () => {
    const graph = pipeline({ a: 'x = 1', b: 'y = x +\nz = 2', c: 'print(x)' });
    expect(graph.warnings.find((w) => w.code === 'syntax-error')).toMatchObject({ cellIndex: 1, line: 1 });
    expect(inputs(graph, 'c')).toEqual(['x<-a:value']);
  });

  test('parenthesised with statements (Python 3.10) are understood', () => {
    const graph = pipeline({
      a: 'import io\nwith (\n    io.StringIO("x") as f,\n    io.StringIO("y") as g,\n):\n    both = f.read() + g.read()',
      b: 'print(both)',
    });
    expect(graph.warnings).toEqual([]);
    expect(inputs(graph, 'b')).toEqual(['both<-a:value']);
  });

  test('star imports and dynamic code are conservative and warned about', () => {
    const graph = pipeline({ a: 'from math import *\nv = 1', b: 'print(sqrt(v))', c: 'w = eval("v")', d: 'print(w)' });
    expect(graph.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['star-import', 'dynamic-code']));
    expect(inputs(graph, 'b')).toEqual(['sqrt<-a:module', 'v<-a:value']);
    expect(step(graph, 'b').code.map((d) => d.source)).toEqual(['from math import *']);
    expect(inputs(graph, 'c').map((i) => i.split('<-')[0])).toEqual(expect.arrayContaining(['v']));
    expect(graph.steps.filter((s) => s.dynamic).map((s) => s.name)).toEqual(['a', 'c']);
  });

  test('every star import is re-executed, in order, by every later step', () => {
    const graph = pipeline({
      imports: 'from math import *\nfrom statistics import *',
      compute: 'r = 2 * pi',
      report: 'print(r)',
    });
    const starSources = ['from math import *', 'from statistics import *'];
    expect(step(graph, 'compute').code.map((d) => d.source)).toEqual(starSources);
    expect(step(graph, 'report').code.map((d) => d.source)).toEqual(starSources);
    expect(step(graph, 'report').after).toEqual(['imports', 'compute']);
    expect(step(graph, 'imports').code).toEqual([]);
  });

  test('IPython magics and shell lines are understood', () => {
    const graph = pipeline({
      a: '%matplotlib inline\nfiles = !ls\nx = 1\n%time y = x + 1',
      b: '%%capture out\nprint(files, y)',
      c: '%%bash\necho hi',
      d: 'print(out)\nlen?',
    });
    expect(inputs(graph, 'b')).toEqual(['files<-a:value', 'y<-a:value']);
    expect(inputs(graph, 'd')).toEqual(['out<-b:value']);
    expect(graph.warnings.filter((w) => w.code === 'syntax-error')).toEqual([]);
  });

  test('non-Python kernels give a not-python warning', () => {
    const graph = analyzeNotebook(buildNotebook(['x <- 1'], { language: 'r' }));
    expect(graph.warnings.map((w) => w.code)).toContain('not-python');
  });

  test('a generated 10 MB notebook (outputs included) is read and analysed completely', () => {
    const image = 'iVBORw0KGgo'.repeat(3100);
    const count = 300;
    const cells = Array.from({ length: count }, (_, i) => ({
      id: `c${i}`,
      cell_type: 'code',
      metadata: { tags: i % 10 === 0 ? [`step:s${i}`] : [] },
      source: `${i === 0 ? 'total_0 = 0' : `total_${i} = total_${i - 1} + 1`}\nprint(total_${i})\n`,
      outputs: [{ output_type: 'display_data', data: { 'image/png': image }, metadata: {} }],
      execution_count: i,
    }));
    const json = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
    expect(json.length).toBeGreaterThan(10_000_000);
    const graph = analyzeNotebook(readNotebook(json, 'big.ipynb'));
    expect(graph.steps).toHaveLength(count / 10);
    expect(graph.steps.slice(1).every((s, i) => s.after.join() === graph.steps[i]?.name)).toBe(true);
    expect(graph.warnings).toEqual([]);
  });

  test('unicode names and sources', () => {
    const graph = pipeline({ a: 'größe = "ü" * 2', b: 'print(größe)' });
    expect(inputs(graph, 'b')).toEqual(['größe<-a:value']);
  });

  test('graphToJson has the documented shape', () => {
    const graph = pipeline(
      { load: 'rows = [1]\ndef clip(v):\n    return v', clean: 'clean = [clip(r) for r in rows]' },
      [{ source: 'scale = 3', tags: ['parameters'] }],
    );
    expect(JSON.parse(JSON.stringify(graphToJson(graph)))).toMatchObject({
      steps: [
        { name: 'load', cells: ['cell-1'], after: [], inputs: [], outputs: ['rows'] },
        {
          name: 'clean',
          cells: ['cell-2'],
          after: ['load'],
          inputs: [
            { name: 'rows', from: 'load', kind: 'value' },
            { name: 'clip', from: 'load', kind: 'function' },
          ],
          outputs: [],
        },
      ],
      parameters: { scale: 3 },
      warnings: [],
    });
  });
});

describe('never throws for cell content', () => {
  test('truncated sources and junk tags give warnings, not exceptions', () => {
    const sources = [
      'def f(x:\n    return x',
      'class C(:\n  pass',
      'x = [1, 2,\ny = 3',
      'for in range(3): pass',
      '@\ndef g(): pass',
      'lambda: (yield)',
      'match x:\n  case {**rest, "k": 1}: pass',
      'print(f"{x!r:>{width}}")',
      'a[1:2, ::3] = b @ c',
      'async def h():\n    async with a as b, c as d:\n        await e\n    return [i async for i in aiter()]',
      'x = """unterminated',
      '%%time\n%%bash\n!!',
      '\\',
      '\u0000\uffff',
    ];
    const cells = sources.map((source, i) => ({
      source,
      tags: i % 4 === 0 ? [`step:s${i}`, 'limit:cpu:', 'prev:', ':', 'step:'] : ['???', 'odd\ntag'],
    }));
    const graph = analyzeNotebook(buildNotebook(cells));
    expect(graph.steps.flatMap((s) => s.cells)).toHaveLength(sources.length);
    expect(graph.warnings.filter((w) => w.code === 'syntax-error').length).toBeGreaterThanOrEqual(5);
    expect(graph.warnings.every((w) => !w.message.includes('\n'))).toBe(true);
  });
});

describe('analysis cost', () => {
  test('values built from other values many times over stay linear (no doubling per level)', () => {
    const chain = Array.from({ length: 400 }, (_, i) => `x${i + 1} = (x${i}, x${i}, f)`).join('\n');
    const graph = pipeline({
      a: 'class Box:\n    def __add__(self, other):\n        return self\nf = lambda v: v\nx0 = Box()',
      b: chain,
      c: 'print(x400)',
    });
    expect(inputs(graph, 'b')).toEqual(['x0<-a:value', 'f<-a:value']);
    expect(inputs(graph, 'c')).toEqual(['x400<-b:value']);
  });
});

describe('method effects by what the receiver is', () => {
  test('add and sample mutate a set and a random.Random, not a DataFrame; unknown receivers count as mutated', () => {
    const graph = pipeline({
      a: 'import random\nimport pandas as pd\nseen = set()\nrng = random.Random(0)\ndf = pd.DataFrame({"a": [1, 2]})\nother = make()',
      b: 'seen.add(1)\npicked = rng.sample(range(10), 3)\ntotal = df.add(1)\nsub = df.sample(1, random_state=0)\nother.add(2)',
      c: 'print(seen, rng.random(), df, other)',
    });
    expect(inputs(graph, 'c')).toEqual(['seen<-b:value', 'rng<-b:value', 'df<-a:value', 'other<-b:value']);
  });

  test('a user class method that changes self makes the call a mutation', () => {
    const graph = pipeline({
      a: 'class Counter:\n    def __init__(self):\n        self.n = 0\n    def describe(self):\n        self.n += 1\n        return self.n\nc = Counter()',
      b: 'c.describe()',
      c: 'print(c.n)',
    });
    expect(inputs(graph, 'c')).toEqual(['c<-b:value']);
  });
});

describe('aliasing through calls and constructors', () => {
  test.each([
    ['make_pipeline(scaler, model)', 'model.fit(X, y)'],
    ['AdaBoostClassifier(estimator=model)', 'model.fit(X, y)'],
    ['Box(model)', 'model.append(1)'],
    ['SimpleNamespace(item=model)', 'model.append(1)'],
  ])('%s: a later change through the argument is a change of the result', (made, change) => {
    const graph = pipeline({
      a: 'scaler = S()\nmodel = M()\nX = [1]\ny = [2]',
      b: `pipe = ${made}`,
      c: change,
      d: 'print(pipe)',
    });
    expect(inputs(graph, 'd')).toEqual(['pipe<-c:value']);
  });

  test('a step reading a holder and a part it holds takes both from the step that made the holder', () => {
    const graph = pipeline({
      a: 'scaler = S()\nX = [1]\ny = [2]',
      b: 'model = make_pipeline(scaler, M())',
      c: 'model.fit(X, y)\nprint(model.steps[0][1] is scaler)',
      d: 'print(scaler.mean_)',
      e: 'scaler = S()\nprint(scaler, model)',
    });
    expect(inputs(graph, 'c')).toEqual(['model<-b:value', 'X<-a:value', 'y<-a:value', 'scaler<-b:value']);
    expect(step(graph, 'b').outputs).toEqual(['model', 'scaler']);
    expect(inputs(graph, 'd')).toEqual(['scaler<-c:value']);
    expect(inputs(graph, 'e')).toEqual(['model<-c:value']);
  });

  test('a generator handed as random_state= to any call is advanced; a literal seed is not', () => {
    const graph = pipeline({
      a: 'from sklearn.utils import check_random_state\nrs = check_random_state(546)\nSEED = 7',
      b: 'X, _ = model.sample(1000, random_state=rs)\nsplit(X, random_state=SEED)',
      c: 'h = GaussianHMM(3, random_state=rs)\nprint(SEED)',
    });
    expect(inputs(graph, 'c')).toEqual(['rs<-b:value', 'SEED<-a:value']);
    expect(step(graph, 'b').outputs).toEqual(['rs']);
  });

  test('a numpy view and out= arguments are changes of the array', () => {
    const graph = pipeline({
      a: 'import numpy as np\na = np.arange(5)\nb = np.ones(3)',
      b: 'v = a[:2]',
      c: 'v[0] = 99\nnp.add(b, 1, out=b)',
      d: 'print(a, b)',
    });
    expect(inputs(graph, 'd')).toEqual(['a<-c:value', 'b<-c:value']);
  });
});

describe('module state', () => {
  test('configuration calls replay in later steps that use the package; interpreter state in every later step', () => {
    const graph = pipeline({
      a: 'import sys\nimport pandas as pd\nimport warnings\npd.set_option("display.max_rows", 5)\nwarnings.filterwarnings("ignore")\nsys.path.append("lib")\nimport numpy as np',
      b: 'frame = pd.DataFrame({"a": [1]})',
      c: 'arr = np.ones(2)',
    });
    expect(codes(graph, 'b')).toEqual(['sys', 'pd', 'warnings', '', '', '']);
    expect(codes(graph, 'c')).toEqual(['sys', 'warnings', '', '', 'np']);
  });

  test('a side-effect import replays in later steps that import from the same package', () => {
    const graph = pipeline({
      a: 'from sklearn.experimental import enable_halving_search_cv',
      b: 'from sklearn.model_selection import HalvingGridSearchCV\nsearch = HalvingGridSearchCV',
      c: 'import math\nprint(math.pi)',
    });
    expect(step(graph, 'b').code.map((dep) => dep.source)).toEqual([
      'from sklearn.experimental import enable_halving_search_cv',
    ]);
    expect(step(graph, 'c').code).toEqual([]);
  });

  test('after the global RNG is seeded, every later step continues its state in notebook order', () => {
    const graph = pipeline({
      before: 'from scipy import stats\nnoise = stats.norm.rvs(size=3)',
      seed: 'import numpy as np\nnp.random.seed(2)\na = np.random.normal(size=3)',
      left: 'from scipy import stats\nb = stats.norm.rvs(size=3)',
      right: 'c = sum([1, 2])',
    });
    expect(step(graph, 'before').randomState).toBeUndefined();
    expect(step(graph, 'seed').randomState).toEqual({});
    expect(step(graph, 'left').randomState).toEqual({ from: 'seed' });
    expect(step(graph, 'right').randomState).toEqual({ from: 'left' });
    expect(step(graph, 'right').after).toEqual(['left']);
  });
});

describe('classes', () => {
  test('a class changed after its definition and used by another step is an error naming both cells', () => {
    const graph = pipeline({
      a: 'class Registry:\n    items = []',
      b: 'Registry.items.append(1)',
      c: 'print(Registry.items)',
    });
    const error = graphErrors(graph).find((w) => w.code === 'class-state');
    expect(error?.message).toMatch(/cell 3 .*class 'Registry' was changed in cell 2/);
  });

  test('an instance of a class whose body reads a notebook value brings the class statement and the value', () => {
    const graph = pipeline({
      a: 'THRESHOLD = 3',
      b: 'class Rule:\n    limit = THRESHOLD\nrule = Rule()',
      c: 'print(rule.limit)',
    });
    expect(codes(graph, 'c')).toEqual(['Rule']);
    expect(inputs(graph, 'c')).toEqual(['rule<-b:value', 'THRESHOLD<-a:value']);
  });
});

describe('strings and control flow', () => {
  test('names in query and eval strings are reads', () => {
    const graph = pipeline({
      a: 'limit = 3\nfactor = 2\nimport pandas as pd\ndf = pd.DataFrame({"a": [1, 5]})',
      b: 'big = df.query("a > @limit")\nscaled = df.eval("a * factor")',
    });
    expect(inputs(graph, 'b')).toEqual(['df<-a:value', 'limit<-a:value', 'factor<-a:value']);
    expect(graph.warnings).toEqual([]);
  });

  test('a del under a condition keeps the earlier value as an input and re-produces the name', () => {
    const graph = pipeline({ a: 'x = 1\nflag = True', b: 'if flag:\n    del x', c: 'print(x)' });
    expect(inputs(graph, 'b')).toEqual(['flag<-a:value', 'x<-a:value']);
    expect(inputs(graph, 'c')).toEqual(['x<-b:value']);
  });

  test('a step name tagged again after another step is an error naming the cells', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        { source: 'x = 1', tags: ['step:a'] },
        { source: 'y = 2', tags: ['step:b'] },
        { source: 'z = 3', tags: ['step:a'] },
      ]),
    );
    const error = graphErrors(graph).find((w) => w.code === 'duplicate-step');
    expect(error?.message).toMatch(/cell 3 .*step 'a' already started at cell 1 and cell 2 between them is step 'b'/);
  });
});

describe('files between steps', () => {
  test('a path literal written by one step and read by a later one is an edge and a file input', () => {
    const graph = pipeline({
      a: 'import pandas as pd\nimport numpy as np\ndf = pd.DataFrame({"a": [1]})',
      b: 'df.to_csv("./out/clean.csv", index=False)\nnp.save("arr.npy", np.ones(2))',
      c: 'back = pd.read_csv("out/clean.csv")',
      d: 'with open("arr.npy", "rb") as f:\n    raw = f.read()',
      e: 'from pathlib import Path\nPath("arr.npy").write_text("x")',
    });
    expect(step(graph, 'c').after).toEqual(['a', 'b']);
    expect(step(graph, 'c').files).toEqual({ reads: [{ path: 'out/clean.csv', from: 'b' }], writes: [] });
    expect(step(graph, 'b').files).toEqual({ reads: [], writes: ['out/clean.csv', 'arr.npy'] });
    expect(step(graph, 'd').after).toEqual(['b']);
    expect(step(graph, 'e').after).toEqual(['b', 'd']);
  });
});

describe('numpy views', () => {
  test('a view made in one step and changed in another, then the array read, is an error naming the cells', () => {
    const graph = pipeline({
      a: 'import numpy as np\na = np.arange(5)',
      b: 'v = a[:2]',
      c: 'v[0] = 99',
      d: 'print(a)',
    });
    const error = graphErrors(graph).find((w) => w.code === 'view-state');
    expect(error?.message).toMatch(/cell 4 .*'a' was changed through 'v', .* in cell 3 \(id cell-2\) line 1/);
  });

  test('a view changed in the step that made it changes the array, which travels from there', () => {
    const graph = pipeline({ a: 'import numpy as np\na = np.arange(5)', b: 'v = a[:2]\nv[0] = 99', c: 'print(a)' });
    expect(graphErrors(graph)).toEqual([]);
    expect(inputs(graph, 'c')).toEqual(['a<-b:value']);
  });
});
