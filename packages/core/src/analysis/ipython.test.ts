import { ipythonToPython } from './ipython.js';

describe('ipythonToPython keeps lines and names', () => {
  test.each([
    ['%matplotlib inline\nx = 1', 'pass\nx = 1'],
    ['%time y = f(x)', 'y = f(x)'],
    ['%timeit -n 3 g(x)', 'g(x)'],
    ['files = !ls {folder}', 'files = (folder,)'],
    ['out = !date', 'out = ...'],
    ['if ok:\n    !echo $name', 'if ok:\n    (name,)'],
    ['df.head?', 'pass'],
    ['??len', 'pass'],
    ['%%capture --no-stdout captured\nprint(1)', 'captured = ...\nprint(1)'],
    ['%%time\nz = 2', '\nz = 2'],
    ['x = 1 % 2\ny = a != b', 'x = 1 % 2\ny = a != b'],
    ['label = (\n    "%s items"\n    % (n,)\n)', 'label = (\n    "%s items"\n    % (n,)\n)'],
    ['doc = """\n%notmagic\n"""\n%matplotlib inline', 'doc = """\n%notmagic\n"""\npass'],
    ['f(a,  # (\n  !b)\n!ls', 'f(a,  # (\n  !b)\npass'],
  ])('%j', (source, code) => {
    const result = ipythonToPython(source);
    expect(result.code).toBe(code);
    expect(result.code.split('\n')).toHaveLength(source.split('\n').length);
    expect(result.notPython).toBe(false);
  });

  test('cell magics with non-Python bodies blank the body but keep interpolated reads', () => {
    const result = ipythonToPython('%%bash\necho {path}\nls');
    expect(result).toMatchObject({ code: '(path,)\n\n', notPython: true, shellLines: [1] });
  });

  test('%run and %store -r are dynamic; shell lines are recorded', () => {
    expect(ipythonToPython('%run helpers.py\n!pip install x\n%store -r data')).toMatchObject({
      dynamicLines: [1, 3],
      shellLines: [2],
    });
  });

  test('parenthesised with items lose their parentheses but keep their lines', () => {
    const result = ipythonToPython('with (\n    open(a) as f,  # first\n    open(b) as g,\n):\n    pass');
    expect(result.code.split('\n')).toHaveLength(5);
    expect(result.code.replace(/\s+/g, ' ')).toBe('with \\ open(a) as f, \\ open(b) as g \\ : pass');
    expect(ipythonToPython('with (a, b):\n    pass').code).toBe('with (a, b):\n    pass');
  });

  test('a continued line is not rewritten', () => {
    expect(ipythonToPython('x = 1 + \\\n!2').code).toBe('x = 1 + \\\n!2');
  });
});
