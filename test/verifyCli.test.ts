import { rmSync } from 'node:fs';
import { buildCli, notebookFolder, runCli } from './cliHarness.js';

// `cellpipe verify` through the real CLI: exit codes, text findings, --json.
beforeAll(() => buildCli(), 300_000);

describe('cellpipe verify', () => {
  it('exits 0 and reports no missed edge when the graph matches the execution', async () => {
    const { dir } = notebookFolder([
      { source: 'rows = [3, 1, 2]', tags: ['step:load'] },
      { source: 'rows.sort()', tags: ['step:sort'] },
      { source: 'print(rows[0])', tags: ['step:show'] },
    ]);
    try {
      const text = await runCli(['verify', 'nb.ipynb'], dir);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('nb.ipynb: 2 traced edges');
      expect(text.stdout).toContain('ok: no missed edge');
      const json = await runCli(['verify', 'nb.ipynb', '--json'], dir);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout);
      expect(report.ok).toBe(true);
      expect(report.missed).toEqual([]);
      expect(
        report.edges.map((e: { from: string; to: string; name: string }) => `${e.from}->${e.to}:${e.name}`),
      ).toEqual(['load->sort:rows', 'sort->show:rows']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('exits 1 naming the cell when the notebook fails top to bottom', async () => {
    const { dir } = notebookFolder([
      { source: 'x = 1', tags: ['step:a'] },
      { source: 'raise ValueError("boom")', tags: ['step:b'] },
    ]);
    try {
      const result = await runCli(['verify', 'nb.ipynb'], dir);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("cell 2 (cell-1) of step 'b' raised ValueError: boom");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('exits 2 with one line on bad input', async () => {
    const { dir } = notebookFolder([{ source: 'x = 1' }]);
    try {
      const missing = await runCli(['verify'], dir);
      expect(missing.code).toBe(2);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      const unreadable = await runCli(['verify', 'absent.ipynb'], dir);
      expect(unreadable.code).toBe(2);
      expect(unreadable.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
