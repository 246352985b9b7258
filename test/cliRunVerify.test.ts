import { jest } from '@jest/globals';
import { buildCli, notebookFolder, runCli } from './cliHarness.js';

jest.setTimeout(180_000);
beforeAll(buildCli);

describe('cellpipe run --verify (real CLI, real tracer)', () => {
  it('passes when every saved value equals the top-to-bottom value', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'rows = [3, 1, 2]', tags: ['step:load'] },
      { source: 'rows.sort()\nsmallest = rows[0]', tags: ['step:clean'] },
      { source: 'total = sum(rows) + smallest', tags: ['step:report'] },
    ]);
    const result = await runCli(['run', notebook, '--verify'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/verify: \d+ traced edges, [1-9]\d* values compared, 0 problem\(s\)/);
  });

  it('fails and names the output when a step does not reproduce the notebook', async () => {
    const { dir, notebook } = notebookFolder([
      { source: 'import random\nnoise = random.random()', tags: ['step:sample'] },
      { source: 'doubled = noise * 2', tags: ['step:use'] },
    ]);
    const result = await runCli(['run', notebook, '--verify'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/verify: error: differing value: .*'noise'/);
  });
});
