import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepSpec } from '../../compile/step/spec.js';
import { cacheKey, canonical, environmentRead, referencedFiles, StepCache, type CacheKeyFacts } from './cache.js';
import { fileFingerprint } from './dependencies.js';

const spec: StepSpec = {
  version: 1,
  pipeline: 'demo',
  step: 'train',
  prepare: [
    { action: 'exec', names: ['np'], source: 'import numpy as np', cellId: 'c0', cellIndex: 0 },
    { action: 'load', name: 'df', from: 'load', dir: '/runs/r1/steps/load/out' },
  ],
  cells: [{ id: 'c2', index: 2, source: 'model = fit(df, alpha)' }],
  outputs: ['model'],
  metrics: ['acc'],
  parameters: { alpha: 0.5, opts: { a: 1, b: [1, 2] } },
  definitions: { fit: { source: 'def fit(d, a): ...', cellId: 'c1' } },
};
const facts: CacheKeyFacts = { spec, inputHashes: { df: 'aa' }, runtimeVersion: 'r1', pythonIdentity: 'p1' };

function withSpec(change: Partial<StepSpec>): CacheKeyFacts {
  return { ...facts, spec: { ...spec, ...change } };
}

describe('cacheKey', () => {
  const base = cacheKey(facts);

  it('is a sha256 hex digest and deterministic', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey(structuredClone(facts))).toBe(base);
  });

  it.each<[string, CacheKeyFacts]>([
    ['cell source', withSpec({ cells: [{ id: 'c2', index: 2, source: 'model = fit(df, alpha * 2)' }] })],
    [
      're-executed code',
      withSpec({ prepare: [{ ...spec.prepare[0]!, source: 'import numpy' } as never, spec.prepare[1]!] }),
    ],
    ['an input value', { ...facts, inputHashes: { df: 'bb' } }],
    ['a parameter value', withSpec({ parameters: { ...spec.parameters, alpha: 0.6 } })],
    ['the saved outputs', withSpec({ outputs: ['model', 'extra'] })],
    ['the metric names', withSpec({ metrics: [] })],
    ['a definition', withSpec({ definitions: { fit: { source: 'def fit(d, a): return 1', cellId: 'c1' } } })],
    ['the runtime version', { ...facts, runtimeVersion: 'r2' }],
    ['the Python', { ...facts, pythonIdentity: 'p2' }],
    ['a data file the code names', { ...facts, files: { 'data.csv': '10:1' } }],
    ['an environment variable the code reads', { ...facts, environment: { MODE: 'fast' } }],
    ['the names the run-time check holds', withSpec({ unchanged: [{ name: 'df', from: 'load', readBy: 'report' }] })],
  ])('changes when %s changes', (_what, changed) => {
    expect(cacheKey(changed)).not.toBe(base);
  });

  it('ignores run folders, cell positions and the order of parameter keys', () => {
    const moved = withSpec({
      prepare: [spec.prepare[0]!, { action: 'load', name: 'df', from: 'load', dir: '/elsewhere/out' }],
      cells: [{ id: 'other-id', index: 7, source: 'model = fit(df, alpha)' }],
      parameters: { opts: { b: [1, 2], a: 1 }, alpha: 0.5 },
    });
    expect(cacheKey(moved)).toBe(base);
  });

  it('canonical JSON sorts object keys at every depth but keeps array order', () => {
    expect(canonical({ b: 1, a: { d: 1, c: [2, 1] } })).toBe('{"a":{"c":[2,1],"d":1},"b":1}');
  });
});

describe('StepCache', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cellpipe-cache-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function stepFolder(name: string, status: 'succeeded' | 'failed'): string {
    const dir = join(root, name);
    mkdirSync(join(dir, 'out', 'nested'), { recursive: true });
    writeFileSync(
      join(dir, 'out', 'manifest.json'),
      JSON.stringify({ step: name, outputs: {}, metrics: { acc: 1 }, status }),
    );
    writeFileSync(join(dir, 'out', 'model.pkl'), 'bytes');
    writeFileSync(join(dir, 'out', 'nested', 'part'), 'p');
    writeFileSync(join(dir, 'stdout.log'), 'hello\n');
    return dir;
  }

  it('stores a step folder and restores it into another run without copying bytes', () => {
    const cache = new StepCache(join(root, 'cache'));
    const source = stepFolder('run1', 'succeeded');
    expect(cache.lookup('k1')).toBeUndefined();
    cache.store('k1', source);
    expect(cache.lookup('k1')?.metrics).toEqual({ acc: 1 });
    expect(readdirSync(join(root, 'cache'))).toEqual(['k1']);

    const target = join(root, 'run2');
    cache.restore('k1', target);
    expect(readFileSync(join(target, 'out', 'model.pkl'), 'utf8')).toBe('bytes');
    expect(readFileSync(join(target, 'out', 'nested', 'part'), 'utf8')).toBe('p');
    expect(readFileSync(join(target, 'stdout.log'), 'utf8')).toBe('hello\n');
    expect(statSync(join(target, 'out', 'model.pkl')).ino).toBe(statSync(join(source, 'out', 'model.pkl')).ino);
  });

  it('keeps the first entry when the same key is stored twice and leaves no temp folders', () => {
    const cache = new StepCache(join(root, 'cache'));
    cache.store('k1', stepFolder('a', 'succeeded'));
    const second = stepFolder('b', 'succeeded');
    writeFileSync(join(second, 'out', 'model.pkl'), 'other');
    cache.store('k1', second);
    expect(readFileSync(join(root, 'cache', 'k1', 'out', 'model.pkl'), 'utf8')).toBe('bytes');
    expect(readdirSync(join(root, 'cache'))).toEqual(['k1']);
  });

  it('evicts an entry once a file its step read has changed, and serves it while none has', () => {
    const cache = new StepCache(join(root, 'cache'));
    const helper = join(root, 'helper.py');
    writeFileSync(helper, 'def f():\n    return 1\n');
    const source = stepFolder('run1', 'succeeded');
    const manifestPath = join(source, 'out', 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.dependencies = { files: { [helper]: fileFingerprint(helper) } };
    writeFileSync(manifestPath, JSON.stringify(manifest));
    cache.store('k1', source);
    expect(cache.lookup('k1')?.status).toBe('succeeded');
    writeFileSync(helper, 'def f():\n    return 2\n');
    expect(cache.lookup('k1')).toBeUndefined();
    expect(readdirSync(join(root, 'cache'))).toEqual([]);
  });

  it('does not serve a failed manifest or a missing folder', () => {
    const cache = new StepCache(join(root, 'cache'));
    cache.store('bad', stepFolder('f', 'failed'));
    expect(existsSync(join(root, 'cache', 'bad'))).toBe(true);
    expect(cache.lookup('bad')).toBeUndefined();
    expect(cache.lookup('nothing')).toBeUndefined();
  });
});

describe('referencedFiles', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cellpipe-files-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('fingerprints existing files named by string literals, and changes when a file changes', () => {
    writeFileSync(join(root, 'corpus.txt'), 'hello');
    mkdirSync(join(root, 'data'));
    const reading: StepSpec = {
      ...spec,
      cells: [
        { id: 'c', index: 0, source: 'text = open("corpus.txt").read()\nout = \'result.json\'\nfolder = "data"' },
      ],
      prepare: [],
    };
    const first = referencedFiles(reading, root);
    expect(Object.keys(first)).toEqual(['corpus.txt']);
    writeFileSync(join(root, 'corpus.txt'), 'hello, world');
    const second = referencedFiles(reading, root);
    expect(second['corpus.txt']).not.toBe(first['corpus.txt']);
    expect(cacheKey({ ...facts, files: first })).not.toBe(cacheKey({ ...facts, files: second }));
  });

  it('fingerprints the global random state a step continues', () => {
    const continuing: StepSpec = { ...spec, cells: [], prepare: [], randomState: { dir: root } };
    expect(referencedFiles(continuing, root)).toEqual({ '(random state)': 'missing' });
    writeFileSync(join(root, 'random-state.pkl'), 'state one');
    const first = referencedFiles(continuing, root)['(random state)'];
    writeFileSync(join(root, 'random-state.pkl'), 'state two');
    expect(referencedFiles(continuing, root)['(random state)']).not.toBe(first);
  });
});

describe('environmentRead', () => {
  it('reads the variables the code names literally, null when unset', () => {
    const reading: StepSpec = {
      ...spec,
      cells: [
        {
          id: 'c',
          index: 0,
          source:
            'a = os.environ["DATA_DIR"]\nb = os.environ.get(\'MODE\', "x")\nc = os.getenv("MISSING_ONE")\nd = environ[key]',
        },
      ],
      prepare: [],
    };
    expect(environmentRead(reading, { DATA_DIR: '/data', MODE: 'fast', OTHER: 'y' })).toEqual({
      DATA_DIR: '/data',
      MODE: 'fast',
      MISSING_ONE: null,
    });
  });
});

describe('fileFingerprint', () => {
  it('is the content digest of a small file, and undefined for a folder or a missing file', () => {
    const root = mkdtempSync(join(tmpdir(), 'cellpipe-fp-'));
    try {
      writeFileSync(join(root, 'a.txt'), 'abc');
      expect(fileFingerprint(join(root, 'a.txt'))).toBe(
        'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      expect(fileFingerprint(root)).toBeUndefined();
      expect(fileFingerprint(join(root, 'none'))).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
