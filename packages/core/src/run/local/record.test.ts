import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRunRoot } from './record.js';

describe('ensureRunRoot', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cellpipe-record-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the run folder with a .gitignore that ignores everything in it', () => {
    const runRoot = join(dir, 'nested', '.cellpipe');
    ensureRunRoot(runRoot);
    const lines = readFileSync(join(runRoot, '.gitignore'), 'utf8').split('\n');
    expect(lines).toContain('*');
  });

  it('leaves a .gitignore the user edited alone', () => {
    const runRoot = join(dir, '.cellpipe');
    ensureRunRoot(runRoot);
    writeFileSync(join(runRoot, '.gitignore'), 'runs/\n');
    ensureRunRoot(runRoot);
    expect(readFileSync(join(runRoot, '.gitignore'), 'utf8')).toBe('runs/\n');
  });
});
