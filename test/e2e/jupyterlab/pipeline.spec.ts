// eslint-disable-next-line no-restricted-imports -- the UI test drives JupyterLab through its own test library
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const examples = path.resolve(here, '../../../examples');
const screenshots = process.env.CELLPIPE_E2E_SCREENSHOTS ?? path.join(here, 'screenshots');
mkdirSync(screenshots, { recursive: true });

/** The notebook panel on screen, so hidden panels never match. */
function notebook(page: IJupyterLabPageFixture) {
  return page.locator('.jp-NotebookPanel:visible');
}

function cellWithText(page: IJupyterLabPageFixture, text: string) {
  return notebook(page).locator('.jp-Cell').filter({ hasText: text });
}

/** A Python notebook (nbformat 4.5) of tagged code cells, as uploaded by the tests. */
function notebookJson(cells: ReturnType<typeof codeCell>[]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells,
  };
}

function codeCell(id: string, source: string, tags: string[]) {
  return { cell_type: 'code', id, metadata: { tags }, source, outputs: [], execution_count: null };
}

/** Opens a notebook through JupyterLab's own command and waits with Playwright's timeout (Galata's is 15 s). */
async function openNotebook(page: IJupyterLabPageFixture, filePath: string): Promise<void> {
  await page.evaluate(async (target) => {
    const app = (
      window as unknown as { jupyterapp: { commands: { execute(id: string, args: unknown): Promise<unknown> } } }
    ).jupyterapp;
    await app.commands.execute('docmanager:open', { path: target });
  }, filePath);
  await notebook(page).locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 120000 });
}

async function openPipelinePanel(page: IJupyterLabPageFixture): Promise<void> {
  const panel = page.locator('#cellpipe-pipeline-panel');
  if (!(await panel.isVisible())) await page.locator('.jp-SideBar [data-id="cellpipe-pipeline-panel"]').click();
  await expect(panel).toBeVisible();
}

async function runPipeline(page: IJupyterLabPageFixture): Promise<void> {
  await notebook(page).locator('.jp-Toolbar [data-command="cellpipe:run-pipeline"]').click();
}

// Galata waits 15 s for the launcher; on a loaded 2-core machine JupyterLab's own plugins take longer than that.
test.use({
  waitForApplication: async ({}, use) =>
    use(async (page) => {
      await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120000 });
      await page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: 'Launcher' }).waitFor({ timeout: 120000 });
    }),
});

test.describe('cellpipe in JupyterLab', () => {
  test('tag a cell, see the DAG change, run, see states and metrics, reload with tags intact', async ({
    page,
    tmpPath,
    request,
  }) => {
    const notebookPath = `${tmpPath}/word_stats.ipynb`;
    await page.contents.uploadFile(path.join(examples, 'word-stats', 'word_stats.ipynb'), notebookPath);
    await page.contents.uploadFile(path.join(examples, 'word-stats', 'corpus.txt'), `${tmpPath}/corpus.txt`);
    await openNotebook(page, notebookPath);

    const codeCells = JSON.parse(
      readFileSync(path.join(examples, 'word-stats', 'word_stats.ipynb'), 'utf8'),
    ).cells.filter((cell: { cell_type: string }) => cell.cell_type === 'code').length;
    await expect(notebook(page).locator('.cellpipe-StepChip')).toHaveCount(codeCells);
    const lengthsCell = cellWithText(page, 'mean_length = round');
    await expect(lengthsCell.locator('.cellpipe-StepChip')).toHaveText('step: lengths');
    await expect(cellWithText(page, 'min_length = 3').locator('.cellpipe-StepChip')).toHaveText('parameters');

    await openPipelinePanel(page);
    const dag = page.locator('#cellpipe-pipeline-panel .cellpipe-Dag');
    await expect(dag.locator('.cellpipe-Dag-node')).toHaveCount(6);
    await expect(dag.locator('.cellpipe-Dag-node[data-step="lengths"]')).toHaveCount(1);

    // Tag through the UI: the chip opens the step form; renaming the step must redraw the DAG.
    await lengthsCell.locator('.cellpipe-StepChip').click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.cellpipe-StepEditor')).toBeVisible();
    // An invalid name is refused with the reason, and the form comes back with what was typed.
    await dialog.locator('.cellpipe-StepEditor-name').fill('word lengths');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog.locator('.cellpipe-FormError')).toContainText('step name');
    await expect(dialog.locator('.cellpipe-StepEditor-name')).toHaveValue('word lengths');
    await dialog.locator('.cellpipe-StepEditor-prev').fill('no-such-step');
    await dialog.locator('.cellpipe-StepEditor-name').fill('word-lengths');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog.locator('.cellpipe-FormError')).toContainText("prev: 'no-such-step' is not a step");
    await dialog.locator('.cellpipe-StepEditor-prev').fill('');
    await dialog.locator('.cellpipe-StepEditor-name').fill('word-lengths');
    await dialog.locator('.cellpipe-StepEditor-cpu').fill('500m');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(lengthsCell.locator('.cellpipe-StepChip')).toHaveText('step: word-lengths');
    await expect(dag.locator('.cellpipe-Dag-node[data-step="word-lengths"]')).toHaveCount(1);
    await expect(dag.locator('.cellpipe-Dag-node[data-step="lengths"]')).toHaveCount(0);
    await expect(page.locator('#cellpipe-pipeline-panel .cellpipe-StepCard[data-step="report"]')).toContainText(
      'mean_length ← word-lengths',
    );
    await page.locator('#cellpipe-pipeline-panel').screenshot({ path: path.join(screenshots, 'pipeline-panel.png') });

    await runPipeline(page);
    await expect(cellWithText(page, 'report = {').locator('.cellpipe-StepChipRow')).toHaveAttribute(
      'data-state',
      'succeeded',
      { timeout: 120000 },
    );
    await expect
      .poll(() => notebook(page).locator('.cellpipe-StepChipRow[data-state="succeeded"]').count())
      .toBeGreaterThanOrEqual(6);
    await expect(notebook(page).locator('.cellpipe-StepChipRow[data-state]:not([data-state="succeeded"])')).toHaveCount(
      0,
    );
    await expect(lengthsCell.locator('.cellpipe-RunState')).toContainText('succeeded');
    // The DAG shows the run's state of each step.
    await expect(dag.locator('.cellpipe-Dag-node[data-state="succeeded"]')).toHaveCount(6);
    await expect(cellWithText(page, 'vocabulary = len(word_counts)').locator('.cellpipe-Metrics')).toContainText('69');
    await expect(lengthsCell.locator('.cellpipe-Metrics')).toContainText('mean_length');
    await page.screenshot({ path: path.join(screenshots, 'finished-run.png') });

    await page.locator('.jp-SideBar [data-id="cellpipe-runs-panel"]').click();
    await expect(page.locator('#cellpipe-runs-panel .cellpipe-Run[data-state="succeeded"]').first()).toBeVisible();
    await page.locator('#cellpipe-runs-panel').screenshot({ path: path.join(screenshots, 'runs-panel.png') });

    await page.notebook.save();
    // Galata's own readiness check wants the launcher in front; JupyterLab restores the notebook instead.
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    if (!(await page.notebook.isOpen('word_stats.ipynb'))) await openNotebook(page, notebookPath);
    await expect(cellWithText(page, 'mean_length = round').locator('.cellpipe-StepChip')).toHaveText(
      'step: word-lengths',
    );
    // Results of the latest run come back from its run record, on the cells with the same ids.
    await expect(cellWithText(page, 'mean_length = round').locator('.cellpipe-RunState')).toContainText('succeeded');
    await expect(cellWithText(page, 'vocabulary = len(word_counts)').locator('.cellpipe-Metrics')).toContainText('69');
    await page.screenshot({ path: path.join(screenshots, 'after-reload.png') });
    const saved = await request.get(`/api/contents/${notebookPath}?content=1`);
    const cells = (await saved.json()).content.cells as { source: string; metadata: { tags?: string[] } }[];
    const tags = cells.find((cell) => cell.source.includes('mean_length = round'))?.metadata.tags;
    expect(tags).toEqual(['step:word-lengths', 'limit:cpu:500m']);
  });

  test('a failing step shows its traceback on the cell that raised, even after cells move', async ({
    page,
    tmpPath,
  }) => {
    const name = 'failing.ipynb';
    const content = notebookJson([
      codeCell('c-load', 'import time\ntime.sleep(4)\nvalues = [3, 2, 1]', ['step:load']),
      codeCell(
        'c-train',
        'import cellpipe\nfor epoch, value in enumerate(values):\n    cellpipe.log_metric("loss", value / 10, epoch)\nfinal_loss = values[-1] / 10',
        ['step:train'],
      ),
      codeCell('c-threshold', 'threshold = 0.01', ['step:check']),
      codeCell('c-assert', 'assert final_loss < threshold, f"loss {final_loss} above {threshold}"', []),
    ]);
    await page.contents.uploadContent(JSON.stringify(content), 'text', `${tmpPath}/${name}`);
    await openNotebook(page, `${tmpPath}/${name}`);
    await expect(notebook(page).locator('.cellpipe-StepChip')).toHaveCount(4);

    await runPipeline(page);
    await expect(
      cellWithText(page, 'time.sleep(4)').locator('.cellpipe-StepChipRow[data-state="running"]'),
    ).toHaveCount(1);
    // Move every cell down by one while the run is going: results must follow cell ids, not indexes.
    await page.notebook.selectCells(0);
    await page.evaluate(() =>
      (
        window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }
      ).jupyterapp.commands.execute('notebook:insert-cell-above'),
    );

    const failing = cellWithText(page, 'assert final_loss < threshold');
    await expect(failing.locator('.cellpipe-Traceback')).toContainText('AssertionError', { timeout: 120000 });
    await expect(failing.locator('.cellpipe-ErrorLine')).toContainText('loss 0.1 above 0.01');
    // Numbered as JupyterLab numbers cells (from 1): the 4th cell when the run started.
    await expect(failing.locator('.cellpipe-Traceback')).toContainText('cell 4, line 1');
    await expect(failing.locator('.cellpipe-Traceback')).not.toContainText('cell 3,');
    await expect(notebook(page).locator('.cellpipe-Traceback')).toHaveCount(1);
    await expect(cellWithText(page, 'threshold = 0.01').locator('.cellpipe-RunState')).toContainText('failed');
    const train = cellWithText(page, 'cellpipe.log_metric');
    await expect(train.locator('.cellpipe-RunState')).toContainText('succeeded');
    await expect(train.locator('.cellpipe-Metrics')).toContainText('loss');
    await expect(train.locator('.cellpipe-Chart')).toHaveCount(1);
    await expect(train.locator('.cellpipe-Chart canvas, .cellpipe-Chart svg').first()).toBeVisible();
    await page.screenshot({ path: path.join(screenshots, 'failed-run.png') });
  });

  test('the panel follows typing and a warning reveals its cell', async ({ page, tmpPath }) => {
    const content = notebookJson([
      codeCell('c-one', 'a = 1', ['step:one']),
      codeCell('c-two', 'b = 2', ['step:two']),
      codeCell('c-three', 'c = 3', ['step:three']),
      codeCell('c-bad', 'd = (', ['stpe:typo']),
    ]);
    await page.contents.uploadContent(JSON.stringify(content), 'text', `${tmpPath}/live.ipynb`);
    await openNotebook(page, `${tmpPath}/live.ipynb`);
    await openPipelinePanel(page);
    const panel = page.locator('#cellpipe-pipeline-panel');
    await expect(panel.locator('.cellpipe-Dag-node')).toHaveCount(3);
    await expect(panel.locator('.cellpipe-Dag-edge')).toHaveCount(0);

    await page.notebook.setCell(2, 'code', 'c = a + 3');
    await expect(panel.locator('.cellpipe-StepCard[data-step="three"]')).toContainText('a ← one');
    await expect(panel.locator('.cellpipe-Dag-edge')).toHaveCount(1);

    const warnings = panel.locator('.cellpipe-Warning');
    await expect(warnings.filter({ hasText: 'stpe:typo' })).toHaveCount(1);
    await page.notebook.selectCells(0);
    await warnings.filter({ hasText: 'stpe:typo' }).click();
    await expect(notebook(page).locator('.jp-Cell.jp-mod-active')).toContainText('d = (');
  });

  test('the runs panel cancels a running pipeline', async ({ page, tmpPath }) => {
    const content = notebookJson([
      codeCell('c-slow', 'import time\ntime.sleep(120)\nx = 1', ['step:slow']),
      codeCell('c-after', 'y = x + 1', ['step:after']),
    ]);
    await page.contents.uploadContent(JSON.stringify(content), 'text', `${tmpPath}/slow.ipynb`);
    await openNotebook(page, `${tmpPath}/slow.ipynb`);
    await runPipeline(page);
    const slow = cellWithText(page, 'time.sleep(120)');
    await expect(slow.locator('.cellpipe-StepChipRow[data-state="running"]')).toHaveCount(1);

    await page.locator('.jp-SideBar [data-id="cellpipe-runs-panel"]').click();
    const runs = page.locator('#cellpipe-runs-panel');
    await runs.locator('.cellpipe-RunsPanel-refresh').click();
    await runs.locator('.cellpipe-Run[data-state="running"] .cellpipe-Run-cancel').click();
    await expect(slow.locator('.cellpipe-StepChipRow')).toHaveAttribute('data-state', /cancelled|failed/);
    await expect(cellWithText(page, 'y = x + 1').locator('.cellpipe-StepChipRow')).not.toHaveAttribute(
      'data-state',
      /running|succeeded/,
    );
    await expect(runs.locator('.cellpipe-Run').first()).toHaveAttribute('data-state', 'cancelled');
  });

  test('a second Run while a run is going starts nothing: Run is disabled and Re-run asks first', async ({
    page,
    tmpPath,
  }) => {
    const content = notebookJson([codeCell('c-wait', 'import time\ntime.sleep(60)\nx = 1', ['step:wait'])]);
    await page.contents.uploadContent(JSON.stringify(content), 'text', `${tmpPath}/once.ipynb`);
    await openNotebook(page, `${tmpPath}/once.ipynb`);
    await runPipeline(page);
    const wait = cellWithText(page, 'time.sleep(60)');
    await expect(wait.locator('.cellpipe-StepChipRow[data-state="running"]')).toHaveCount(1);
    const runButton = notebook(page).locator('.jp-Toolbar [data-command="cellpipe:run-pipeline"] button');
    await expect(runButton).toBeDisabled();

    await page.locator('.jp-SideBar [data-id="cellpipe-runs-panel"]').click();
    const runs = page.locator('#cellpipe-runs-panel');
    await runs.locator('.cellpipe-RunsPanel-refresh').click();
    await expect(runs.locator('.cellpipe-Run')).toHaveCount(1);
    await runs.locator('.cellpipe-Run-rerun').first().click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('A run of this notebook is going');
    await dialog.locator('.jp-Dialog-button', { hasText: 'Keep it running' }).click();
    await runs.locator('.cellpipe-RunsPanel-refresh').click();
    await expect(runs.locator('.cellpipe-Run')).toHaveCount(1);
    await expect(runs.locator('.cellpipe-Run[data-state="running"] .cellpipe-Run-elapsed')).not.toHaveText('0.0s');

    await notebook(page).locator('.jp-Toolbar [data-command="cellpipe:cancel-run"]').click();
    await expect(wait.locator('.cellpipe-StepChipRow')).toHaveAttribute('data-state', /cancelled|failed/);
    await expect(runButton).toBeEnabled();
  });

  test('the parameters form runs with the values typed and keeps them when one is refused', async ({
    page,
    tmpPath,
  }) => {
    const content = notebookJson([
      codeCell('c-params', 'factor = 2\nlabel = "base"', ['parameters']),
      codeCell('c-scale', 'import cellpipe\nscaled = factor * 10\ncellpipe.log_metric("scaled", scaled)', [
        'step:scale',
      ]),
    ]);
    await page.contents.uploadContent(JSON.stringify(content), 'text', `${tmpPath}/params.ipynb`);
    await openNotebook(page, `${tmpPath}/params.ipynb`);
    await expect(notebook(page).locator('.cellpipe-StepChip')).toHaveCount(2);
    await notebook(page).locator('.jp-Toolbar [data-command="cellpipe:run-with-parameters"]').click();
    const dialog = page.locator('.jp-Dialog');
    const factor = dialog.locator('input[name="factor"]');
    await expect(factor).toHaveValue('2');
    await expect(dialog.locator('input[name="label"]')).toHaveValue('base');
    await factor.fill('many');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog.locator('.cellpipe-FormError')).toContainText("parameter 'factor'");
    await expect(dialog.locator('input[name="factor"]')).toHaveValue('many');
    await page.screenshot({ path: path.join(screenshots, 'parameters-form.png') });
    await dialog.locator('input[name="factor"]').fill('5');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    const scale = cellWithText(page, 'scaled = factor * 10');
    await expect(scale.locator('.cellpipe-StepChipRow')).toHaveAttribute('data-state', 'succeeded', {
      timeout: 120000,
    });
    await expect(scale.locator('.cellpipe-Metrics')).toContainText('50');
  });

  test('first run of the wine example in the environment the README builds: the kernel imports cellpipe', async ({
    page,
    tmpPath,
  }) => {
    const notebookPath = `${tmpPath}/wine.ipynb`;
    await page.contents.uploadFile(path.join(examples, 'wine', 'wine.ipynb'), notebookPath);
    await openNotebook(page, notebookPath);
    // The user's own kernel runs the imports cell (import cellpipe included) without an error.
    const imports = cellWithText(page, 'import cellpipe');
    await imports.first().click();
    await page.notebook.runCell(await Private.cellIndex(page, 'import cellpipe'));
    await expect(imports.locator('.jp-InputArea-prompt')).toContainText('[1]', { timeout: 120000 });
    await expect(imports.locator('.jp-OutputArea')).not.toContainText('Error');

    await runPipeline(page);
    const unfinished = notebook(page).locator(
      '.cellpipe-StepChipRow[data-state="running"], .cellpipe-StepChipRow[data-state="queued"], .cellpipe-StepChipRow[data-state="pending"]',
    );
    await expect(notebook(page).locator('.cellpipe-StepChipRow[data-state]').first()).toBeVisible();
    await expect(unfinished).toHaveCount(0, { timeout: 170000 });
    await expect(notebook(page).locator('.cellpipe-StepChipRow[data-state="failed"]')).toHaveCount(0);
    await expect(notebook(page).locator('.cellpipe-StepChipRow[data-state="succeeded"]').first()).toBeVisible();
    await expect(notebook(page).locator('.cellpipe-KernelNote:not(:empty)')).toHaveCount(0);
    await page.screenshot({ path: path.join(screenshots, 'wine-first-run.png') });
  });

  test('requests to /cellpipe without credentials are refused', async ({ baseURL, request }) => {
    // Plain fetch: nothing of the browser context (token header, cookies) is sent.
    const anonymous = (url: string, init?: RequestInit) => fetch(new URL(url, baseURL), init);
    expect((await anonymous('/cellpipe/runs?path=x.ipynb')).status).toBe(403);
    const post = await anonymous('/cellpipe/runs', { method: 'POST', body: JSON.stringify({ path: 'x.ipynb' }) });
    expect(post.status).toBe(403);
    expect((await anonymous('/cellpipe/runs/some-run/cancel', { method: 'POST' })).status).toBe(403);
    expect((await anonymous('/cellpipe/events')).status).toBe(403);
    // The same request with the page's credentials gets through to validation.
    const authorized = await request.post('/cellpipe/runs', { data: { path: 'missing.ipynb' } });
    expect(authorized.status()).toBe(400);
    expect((await authorized.json()).message).toContain('does not exist');
  });
});

namespace Private {
  /** Index of the first cell whose text contains `text`, as Galata's cell commands take it. */
  export async function cellIndex(page: IJupyterLabPageFixture, text: string): Promise<number> {
    const texts = await notebook(page).locator('.jp-Cell').allTextContents();
    const index = texts.findIndex((each) => each.includes(text));
    if (index < 0) throw new Error(`no cell contains ${text}`);
    return index;
  }
}
