import { analyzeCellSource } from './cellFacts.js';
import { parseParameterAssignments, parseParameterValue } from './literal.js';
import { parsePython } from './parse.js';

describe('parsePython', () => {
  test.each([
    ['a = 20.', 'a = 20.0'],
    ['x = np.arange(20.).reshape(10, 2)', 'x = np.arange(20.0).reshape(10, 2)'],
    ['y = 1. if c else 2.', 'y = 1.0 if c else 2.0'],
    ['z = [1.e5, 3.j, 1_0.]', 'z = [1.0e5, 3.0j, 1_0.0]'],
    ['w = (1).real + 1.5 + x.y', 'w = (1).real + 1.5 + x.y'],
    ['s = "20." + f"{2.}"', 's = "20." + f"{2.0}"'],
  ])('%s', (code, spelled) => {
    const parsed = parsePython(code);
    expect(parsed.code).toBe(spelled);
    let errors = 0;
    parsed.tree.iterate({ enter: (node) => void (node.type.isError && errors++) });
    expect(errors).toBe(0);
  });

  test('a cell of trailing-dot floats is analysed, not a syntax error', () => {
    const facts = analyzeCellSource('a = 20.\nb = pi / 2. if a > 1. else a');
    expect(facts.problems).toEqual([]);
    const reads = facts.statements[1]?.events.filter((event) => event.op === 'read').map((event) => event.name);
    expect(reads).toEqual(expect.arrayContaining(['pi', 'a']));
  });

  test('parameters keep trailing-dot floats as floats', () => {
    expect(parseParameterValue('2.')).toBe(2);
    expect(parseParameterAssignments('lr = 1.\nsteps = 3')).toEqual([
      { name: 'lr', value: 1, line: 1, source: '1.0' },
      { name: 'steps', value: 3, line: 2, source: '3' },
    ]);
  });
});
