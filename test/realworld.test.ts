/**
 * A fast subset of the real-world corpus (test/realworld): notebooks written by others, run with the real
 * `cellpipe run` one step per cell and three cells per step, must give the top-to-bottom values or stop with
 * a clear message, never silently different values. `npm run corpus:realworld` runs the whole corpus.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo } from './cliHarness.js';

const FAST_SUBSET = ['lmfit__example_use_pandas', 'imbalanced_learn__plot_make_imbalance', 'corner__quickstart'];

interface GroupingResult {
  outcome: 'equal' | 'stopped' | 'rejected' | 'crashed' | 'different' | 'inconclusive';
  detail?: string;
  differences: { probe: string; name: string }[];
}

interface NotebookResult {
  notebook: string;
  topToBottomError?: string;
  groupings: Record<string, GroupingResult>;
}

let results: NotebookResult[] = [];

beforeAll(() => {
  const folder = mkdtempSync(join(tmpdir(), 'realworld-test-'));
  const output = join(folder, 'results.json');
  const run = spawnSync(
    process.execPath,
    [join(repo, 'test', 'realworld', 'run.mjs'), '--only', ...FAST_SUBSET, '--json', output],
    { cwd: repo, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`corpus run failed:\n${run.stderr}`);
  results = JSON.parse(readFileSync(output, 'utf8')) as NotebookResult[];
  rmSync(folder, { recursive: true, force: true });
}, 600_000);

describe.each(FAST_SUBSET)('%s', (notebook) => {
  const result = () => results.find((r) => r.notebook === notebook)!;

  it('runs top to bottom', () => {
    expect(result().topToBottomError).toBeUndefined();
  });

  it.each(['1', '3'])('as a pipeline with %s cell(s) per step: equal, or stopped with a clear message', (grouping) => {
    const entry = result().groupings[grouping];
    expect(entry).toBeDefined();
    if (entry.outcome === 'stopped' || entry.outcome === 'rejected') {
      expect(entry.detail).toMatch(/\S/);
      expect(entry.detail).not.toContain('\n');
    } else {
      expect({ outcome: entry.outcome, detail: entry.detail, differences: entry.differences }).toEqual({
        outcome: 'equal',
        detail: undefined,
        differences: [],
      });
    }
  });
});
