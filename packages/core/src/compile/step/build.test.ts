import { analyzeNotebook } from '../../graph/build.js';
import { buildNotebook } from '../../notebook/builder.js';
import { buildStepSpec } from './build.js';

const options = { parameters: {}, inputDir: (step: string) => `/runs/${step}` };

function specOf(sources: Record<string, string>, stepName: string) {
  const notebook = buildNotebook(Object.entries(sources).map(([name, source]) => ({ source, tags: [`step:${name}`] })));
  return buildStepSpec(notebook, analyzeNotebook(notebook), stepName, options);
}

describe('buildStepSpec definitions', () => {
  test('earlier defs and classes are listed by name with their cell index', () => {
    const spec = specOf(
      {
        shapes: 'class Point:\n    pass\n\ndef norm(p):\n    return p.x',
        make: 'p = Point()',
        use: 'print(norm(p))',
      },
      'use',
    );
    expect(spec.definitions['Point']).toEqual({
      source: 'class Point:\n    pass',
      cellId: expect.any(String),
      cellIndex: 0,
    });
    expect(spec.definitions['norm']?.cellIndex).toBe(0);
    expect(spec.definitions['p']).toBeUndefined();
  });

  test('imports are definitions too, so on-demand definitions find their decorators and bases', () => {
    const spec = specOf(
      {
        shapes: 'from dataclasses import dataclass\n\n@dataclass\nclass Point:\n    x: int = 0',
        make: 'p = Point()',
        use: 'print(p)',
      },
      'use',
    );
    expect(spec.definitions['dataclass']).toEqual({
      source: 'from dataclasses import dataclass',
      cellId: expect.any(String),
      cellIndex: 0,
    });
  });

  test('definitions from the step itself or later cells are not listed', () => {
    const spec = specOf({ make: 'x = 1', use: 'def late():\n    return x\nprint(late())' }, 'make');
    expect(Object.keys(spec.definitions)).toEqual([]);
  });

  test('a function the step loads as a value is not among its definitions', () => {
    const spec = specOf(
      {
        define: 'base = 3\ndef weighted(x, factor=base):\n    return x * factor',
        rebind: 'base = 100',
        use: 'print(weighted(2), base)',
      },
      'use',
    );
    const loads = spec.prepare.filter((action) => action.action === 'load').map((action) => action.name);
    expect(loads).toContain('weighted');
    expect(spec.definitions['weighted']).toBeUndefined();
  });
});

describe('buildStepSpec prepare order', () => {
  test('code runs before loads, except the values a re-executed statement reads, loaded just before it', () => {
    const spec = specOf(
      {
        config: 'THRESHOLD = 3\nother = [1]',
        define: 'class Rule:\n    limit = THRESHOLD\nrule = Rule()',
        apply: 'print(rule.limit, other)',
      },
      'apply',
    );
    expect(spec.prepare.map((action) => (action.action === 'load' ? `load ${action.name}` : 'exec'))).toEqual([
      'load THRESHOLD',
      'exec',
      'load rule',
      'load other',
    ]);
  });
});
