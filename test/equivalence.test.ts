import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBackend, verifyNotebook, verifyRun } from '../packages/core/src/node.js';

// Issue #2/#3 Done-when: for every tagged notebook, each value a pipeline step saves equals the value the
// notebook has at the end of that step when run top to bottom (traced in one process), and so do metrics.
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const python = join(repo, '.venv', 'bin', 'python');

function notebooksIn(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'src') found.push(...notebooksIn(path));
    else if (entry.name.endsWith('.ipynb')) found.push(path);
  }
  return found.sort();
}

const notebooks = [...notebooksIn(join(repo, 'examples')), ...notebooksIn(join(repo, 'test', 'corpus'))];
const runRoot = mkdtempSync(join(tmpdir(), 'cellpipe-equivalence-'));

afterAll(() => {
  rmSync(runRoot, { recursive: true, force: true });
  rmSync(join(repo, 'test', 'corpus', 'scratch_corpus_helpers.py'), { force: true });
});

describe('pipeline runs give the top-to-bottom values', () => {
  it.each(notebooks.map((path) => [path.slice(repo.length + 1), path]))(
    '%s',
    async (_label, notebookPath) => {
      const verification = await verifyNotebook(notebookPath, { python });
      expect(verification.executionError).toBeUndefined();
      const handle = new LocalBackend().start({
        notebookPath,
        python,
        cache: false,
        jobs: 2,
        runRoot: join(runRoot, notebookPath.replace(/[^A-Za-z0-9]+/g, '_')),
      });
      const finished = await handle.done;
      expect(finished.recordPath && existsSync(finished.recordPath)).toBeTruthy();
      const failures: string[] = [];
      for await (const event of handle.events) {
        if (event.type === 'step-error') failures.push(`${event.step}: ${event.errorType}: ${event.message}`);
        else if (event.type === 'step-state' && event.state === 'failed' && event.reason)
          failures.push(`${event.step}: ${event.reason}`);
      }
      expect(failures).toEqual([]);
      expect(finished.state).toBe('succeeded');
      const report = await verifyRun(notebookPath, finished.recordPath as string, verification.trace, { python });
      expect(report.differing.map((finding) => finding.message)).toEqual([]);
      expect(report.notCompared).toEqual([]);
    },
    300_000,
  );
});
