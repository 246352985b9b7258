import { analyzeCellSource } from './cellFacts.js';

describe('definition-time facts of functions', () => {
  test('decorator names and the globals read by decorators, defaults and annotations', () => {
    const [statement] = analyzeCellSource(
      '@functools.lru_cache(maxsize=SIZE)\n@register("x")\n@make().deco\ndef f(x: Frame, y=base, *, z=lambda: late) -> Out:\n    return x + inside',
    ).statements;
    const [definition] = statement?.definitions ?? [];
    expect(definition?.decorators).toEqual(['functools.lru_cache', 'register', '']);
    // `late` is read when the lambda runs, `inside` when f runs: neither when the def runs.
    expect(definition?.definitionReads).toEqual(['functools', 'SIZE', 'register', 'make', 'Frame', 'base', 'Out']);
    expect(definition?.facts.reads).toEqual(['inside']);
  });

  test('a plain def reads nothing when it is defined', () => {
    const [definition] = analyzeCellSource('def g(a, b=2):\n    return a * b').statements[0]?.definitions ?? [];
    expect(definition?.decorators).toEqual([]);
    expect(definition?.definitionReads).toEqual([]);
  });
});
