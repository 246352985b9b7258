import { LiteralError, evaluateLiteral, parseParameterAssignments, parseParameterValue } from './literal.js';

describe('parseParameterValue', () => {
  test.each([
    ['3', 3],
    ['-2.5e3', -2500],
    ['0x1f', 31],
    ['1_000', 1000],
    ['True', true],
    ['None', null],
    ["'a\\nb'", 'a\nb'],
    ['r"C:\\dir"', 'C:\\dir'],
    ['"ü" "x"', 'üx'],
    ['[1, "two", [3]]', [1, 'two', [3]]],
    ['(1,)', [1]],
    ['(1)', 1],
    ['{"a": {"b": None}, 2: False}', { a: { b: null }, '2': false }],
    ['hello world', 'hello world'],
    ['f(1)', 'f(1)'],
    ["f'{x}'", "f'{x}'"],
  ])('%s', (text, value) => {
    expect(parseParameterValue(text)).toEqual(value);
  });

  test('evaluateLiteral rejects what is not a literal', () => {
    expect(() => evaluateLiteral('a + 1')).toThrow(LiteralError);
    expect(() => evaluateLiteral('1j')).toThrow(/complex/);
  });
});

describe('parseParameterAssignments', () => {
  test('reads literal assignments in order, ignoring comments and pass', () => {
    expect(parseParameterAssignments('# defaults\na = 1\nb = "x"  # note\npass\nc = [1, 2]\n')).toEqual([
      { name: 'a', value: 1, line: 2, source: '1' },
      { name: 'b', value: 'x', line: 3, source: '"x"' },
      { name: 'c', value: [1, 2], line: 5, source: '[1, 2]' },
    ]);
  });

  test.each([
    ['a = 1\nb = a * 2', 2],
    ['import os', 1],
    ['a = b = 1', 1],
    ['x, y = 1, 2', 1],
  ])('%j fails naming line %i', (source, line) => {
    expect(() => parseParameterAssignments(source)).toThrow(expect.objectContaining({ line }));
  });
});
