import { fileFactsOfCall, looksLikePath, namesInExpressionString } from './strings.js';

describe('query and eval strings', () => {
  test('@names are certain reads, bare names possible ones; quoted text, attributes and keywords are not names', () => {
    expect(namesInExpressionString('a > @limit and b.str.len() < width or c == "x y" and `my col` in @keep')).toEqual([
      { name: 'a', explicit: false },
      { name: 'limit', explicit: true },
      { name: 'b', explicit: false },
      { name: 'width', explicit: false },
      { name: 'c', explicit: false },
      { name: 'keep', explicit: true },
    ]);
  });
});

describe('files named by call arguments', () => {
  test('writers, open modes and readers', () => {
    expect(fileFactsOfCall('to_csv', [{ value: './out.csv' }, { keyword: 'sep', value: ';' }], [])).toEqual([
      { path: 'out.csv', mode: 'write' },
    ]);
    expect(fileFactsOfCall('open', [{ value: 'log.txt' }, { value: 'a' }], [])).toEqual([
      { path: 'log.txt', mode: 'write' },
    ]);
    expect(fileFactsOfCall('open', [{ value: 'log.txt' }], [])).toEqual([{ path: 'log.txt', mode: 'read' }]);
    expect(fileFactsOfCall('write_text', [{ value: 'hello' }], ['notes/a.md'])).toEqual([
      { path: 'notes/a.md', mode: 'write' },
    ]);
    expect(fileFactsOfCall('remove', [{ value: 'old.csv' }], [])).toEqual([{ path: 'old.csv', mode: 'write' }]);
    expect(fileFactsOfCall('read_csv', [{ value: 'data/x.csv' }, { keyword: 'usecols' }], [])).toEqual([
      { path: 'data/x.csv', mode: 'read' },
    ]);
  });

  test('column names, option names and URLs are not paths', () => {
    expect(['price', 'display.max_rows', 'https://x.org/a.csv', 'a b.csv', ''].map(looksLikePath)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['a.csv', 'dir/file', 'model.joblib'].map(looksLikePath)).toEqual([true, true, true]);
  });
});
