import { importedModules, runtimeModules } from './imports.js';

describe('importedModules', () => {
  it('names every absolute module a cell imports, dotted, without aliases or relative imports', () => {
    const source = [
      'import numpy as np, os.path',
      'from sklearn.model_selection import (train_test_split, KFold)',
      'from . import sibling',
      'from ..pkg import thing',
      'def load():',
      '    import pandas',
      '    return pandas',
      '%matplotlib inline',
    ].join('\n');
    expect(importedModules(source).sort()).toEqual(['numpy', 'os.path', 'pandas', 'sklearn.model_selection']);
  });

  it('finds nothing in a cell that is not Python', () => {
    expect(importedModules('%%bash\nimport x')).toEqual([]);
  });
});

describe('runtimeModules', () => {
  it("names IPython's shell for magics, cell magics, get_ipython() and display(), nothing for plain Python", () => {
    const shell = ['IPython.core.interactiveshell', 'IPython.core.inputtransformer2'];
    expect(runtimeModules('%matplotlib inline\nx = 1')).toEqual(shell);
    expect(runtimeModules('%%bash\necho hi')).toEqual(shell);
    expect(runtimeModules('display(frame)')).toEqual(shell);
    expect(runtimeModules('x = 1\nprint(x % 2)')).toEqual([]);
  });
});
