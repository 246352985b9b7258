import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonIdentity, resolvePython, whichExecutable } from './python.js';

describe('resolvePython', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cellpipe-python-'));
    for (const env of ['venv', 'conda']) {
      mkdirSync(join(root, env, 'bin'), { recursive: true });
      writeFileSync(join(root, env, 'bin', 'python'), '#!/bin/sh\n');
      chmodSync(join(root, env, 'bin', 'python'), 0o755);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prefers --python, then CELLPIPE_PYTHON, then the active venv, then conda, then python3', () => {
    const env = { CELLPIPE_PYTHON: '/opt/py', VIRTUAL_ENV: join(root, 'venv'), CONDA_PREFIX: join(root, 'conda') };
    expect(resolvePython('/explicit/python', env)).toBe('/explicit/python');
    expect(resolvePython(undefined, env)).toBe('/opt/py');
    expect(resolvePython(undefined, { ...env, CELLPIPE_PYTHON: undefined })).toBe(join(root, 'venv', 'bin', 'python'));
    expect(resolvePython(undefined, { CONDA_PREFIX: join(root, 'conda') })).toBe(join(root, 'conda', 'bin', 'python'));
    expect(resolvePython(undefined, { VIRTUAL_ENV: join(root, 'missing') })).toBe('python3');
    expect(resolvePython('.venv/bin/python', {})).toBe(join(process.cwd(), '.venv/bin/python'));
    expect(resolvePython(undefined, { CELLPIPE_PYTHON: 'python3.12' })).toBe('python3.12');
  });

  it('finds commands on PATH and fingerprints venvs apart even when they link the same interpreter', () => {
    expect(whichExecutable('python', { PATH: `/nonexistent:${join(root, 'venv', 'bin')}` })).toBe(
      join(root, 'venv', 'bin', 'python'),
    );
    expect(whichExecutable('no-such-python', { PATH: join(root, 'venv', 'bin') })).toBeUndefined();
    mkdirSync(join(root, 'linked', 'bin'), { recursive: true });
    symlinkSync(join(root, 'venv', 'bin', 'python'), join(root, 'linked', 'bin', 'python'));
    const a = pythonIdentity(join(root, 'venv', 'bin', 'python'));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(pythonIdentity(join(root, 'venv', 'bin', 'python'))).toBe(a);
    expect(pythonIdentity(join(root, 'linked', 'bin', 'python'))).not.toBe(a);
    expect(pythonIdentity('no-such-python', { PATH: root })).toBe('missing:no-such-python');
  });
});
