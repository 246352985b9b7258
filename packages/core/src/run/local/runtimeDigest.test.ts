import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeDigest } from './runtimeDigest.js';

describe('runtimeDigest', () => {
  let dir: string;
  let root: string;
  let memo: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cellpipe-runtime-digest-'));
    root = join(dir, 'runtime');
    mkdirSync(join(root, 'cellpipe', 'sub'), { recursive: true });
    writeFileSync(join(root, 'cellpipe', '__init__.py'), 'A = 1\n');
    writeFileSync(join(root, 'cellpipe', 'sub', 'part.py'), 'B = 2\n');
    writeFileSync(join(root, 'cellpipe', 'test_part.py'), 'assert True\n');
    memo = join(dir, 'cache', 'runtime.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const touch = (path: string, content: string, seconds: number): void => {
    writeFileSync(path, content);
    utimesSync(path, seconds, seconds);
  };

  test('is remembered, and changes when a source changes but not for tests or an unchanged tree', () => {
    const first = runtimeDigest(root, memo);
    expect(JSON.parse(readFileSync(memo, 'utf8')).digest).toBe(first);
    expect(runtimeDigest(root, memo)).toBe(first);

    writeFileSync(join(root, 'cellpipe', 'test_part.py'), 'assert False\n');
    expect(runtimeDigest(root, memo)).toBe(first);

    touch(join(root, 'cellpipe', 'sub', 'part.py'), 'B = 3\n', 1_700_000_000);
    const edited = runtimeDigest(root, memo);
    expect(edited).not.toBe(first);

    // The same content again, written later: a new stamp, but the digest is the content's, as before the edit.
    touch(join(root, 'cellpipe', 'sub', 'part.py'), 'B = 2\n', 1_700_000_100);
    expect(runtimeDigest(root, memo)).toBe(first);
  });

  test('a remembered digest is used only while every file keeps its size and time', () => {
    const first = runtimeDigest(root, memo);
    // A forged memo with the current stamp proves the sources are not read again...
    const saved = JSON.parse(readFileSync(memo, 'utf8'));
    writeFileSync(memo, JSON.stringify({ ...saved, digest: 'remembered' }));
    expect(runtimeDigest(root, memo)).toBe('remembered');
    // ...and a new file invalidates it.
    writeFileSync(join(root, 'cellpipe', 'extra.py'), 'C = 3\n');
    const withExtra = runtimeDigest(root, memo);
    expect(withExtra).not.toBe('remembered');
    expect(withExtra).not.toBe(first);
  });

  test('an unwritable memo still gives the digest', () => {
    writeFileSync(join(dir, 'cache'), 'a file where the folder should be');
    expect(runtimeDigest(root, memo)).toMatch(/^[0-9a-f]{64}$/);
  });
});
