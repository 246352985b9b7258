// eslint-disable-next-line no-restricted-imports -- the UI test drives JupyterLab through its own test library
import { expect, galata, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workflowPhase } from '../../cluster/stack.mjs';

// Runs on the test cluster only (scripts/e2e-cluster.mjs): the Jupyter server's KUBECONFIG points at it.
const here = path.dirname(fileURLToPath(import.meta.url));
const examples = path.resolve(here, '../../../examples');
const namespace = process.env.CELLPIPE_E2E_NAMESPACE ?? 'argo';

function notebook(page: IJupyterLabPageFixture) {
  return page.locator('.jp-NotebookPanel:visible');
}

function cellWithText(page: IJupyterLabPageFixture, text: string) {
  return notebook(page).locator('.jp-Cell').filter({ hasText: text });
}

test.use({
  // The user's choice in Settings → cellpipe: Run as Pipeline submits to Argo in this namespace; with the cache off
  // no step is memoized from an earlier run of the same code, so every step runs as a pod.
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'cellpipe-jupyterlab:plugin': { backend: 'argo', namespace, cache: false },
  },
  waitForApplication: async ({}, use) =>
    use(async (page) => {
      await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120000 });
      await page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: 'Launcher' }).waitFor({ timeout: 120000 });
    }),
});

test('with the argo backend, Run as Pipeline runs on the cluster and shows states, metrics and the run', async ({
  page,
  tmpPath,
}) => {
  test.setTimeout(360000);
  const notebookPath = `${tmpPath}/word_stats.ipynb`;
  await page.contents.uploadFile(path.join(examples, 'word-stats', 'word_stats.ipynb'), notebookPath);
  await page.contents.uploadFile(path.join(examples, 'word-stats', 'corpus.txt'), `${tmpPath}/corpus.txt`);
  await page.evaluate(async (target) => {
    const app = (
      window as unknown as { jupyterapp: { commands: { execute(id: string, args: unknown): Promise<unknown> } } }
    ).jupyterapp;
    await app.commands.execute('docmanager:open', { path: target });
  }, notebookPath);
  const codeCells = JSON.parse(
    readFileSync(path.join(examples, 'word-stats', 'word_stats.ipynb'), 'utf8'),
  ).cells.filter((cell: { cell_type: string }) => cell.cell_type === 'code').length;
  await expect(notebook(page).locator('.cellpipe-StepChip')).toHaveCount(codeCells, { timeout: 120000 });

  await notebook(page).locator('.jp-Toolbar [data-command="cellpipe:run-pipeline"]').click();
  await expect(cellWithText(page, 'report = {').locator('.cellpipe-StepChipRow')).toHaveAttribute(
    'data-state',
    'succeeded',
    { timeout: 240000 },
  );
  await expect
    .poll(() => notebook(page).locator('.cellpipe-StepChipRow[data-state="succeeded"]').count())
    .toBeGreaterThanOrEqual(6);
  await expect(notebook(page).locator('.cellpipe-StepChipRow[data-state]:not([data-state="succeeded"])')).toHaveCount(
    0,
  );
  await expect(cellWithText(page, 'mean_length = round').locator('.cellpipe-RunState')).toContainText('succeeded');
  // Metrics come back from the Workflow's output parameters.
  await expect(cellWithText(page, 'vocabulary = len(word_counts)').locator('.cellpipe-Metrics')).toContainText('69');

  await page.locator('.jp-SideBar [data-id="cellpipe-runs-panel"]').click();
  const runs = page.locator('#cellpipe-runs-panel');
  await runs.locator('.cellpipe-RunsPanel-refresh').click();
  const run = runs.locator('.cellpipe-Run[data-backend="argo"][data-state="succeeded"]').first();
  await expect(run).toBeVisible();
  await expect(run.locator('.cellpipe-Run-backend')).toHaveText('argo');
  await expect(run.locator('.cellpipe-Run-metrics')).toContainText('vocabulary = 69');
  // The run id is the Workflow's name: the cluster holds it, finished.
  const workflow = (await run.getAttribute('data-run-id')) ?? '';
  expect(workflowPhase(workflow, namespace)).toBe('Succeeded');
});
