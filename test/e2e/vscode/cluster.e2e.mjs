// End-to-end on the test cluster: the packaged .vsix in code-server with `cellpipe.backend` = argo; Run as Pipeline
// submits through core to the cluster that KUBECONFIG names. Run by scripts/e2e-cluster.mjs (`e2e-vscode.mjs --cluster`).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workflowPhase } from '../../cluster/stack.mjs';
import { runsViewTexts as runsViewTextsIn, startVsCode, waitFor as waitForIn } from './codeServer.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const codeServer = process.env.CELLPIPE_CODE_SERVER;
const vsix = process.env.CELLPIPE_VSIX;
const namespace = process.env.CELLPIPE_E2E_NAMESPACE ?? 'argo';
const screenshots = join(repo, 'test-results', 'vscode');
const WORD_STATS_STEPS = ['read', 'tokenize', 'count-words', 'count-bigrams', 'lengths', 'report'];

let root;
let vscode;
let page;

const runsViewTexts = () => runsViewTextsIn(page);

function waitFor(description, predicate, timeoutMs = 240_000) {
  return waitForIn(page, screenshots, description, predicate, timeoutMs);
}

function visibleWithin(locator, timeout) {
  return locator.waitFor({ state: 'visible', timeout }).then(
    () => true,
    () => false,
  );
}

before(async () => {
  assert.ok(codeServer && existsSync(codeServer), 'CELLPIPE_CODE_SERVER must point at code-server');
  assert.ok(vsix && existsSync(vsix), 'CELLPIPE_VSIX must point at the packaged extension');
  assert.ok(process.env.KUBECONFIG, 'KUBECONFIG must name the test cluster (npm run e2e:cluster sets it)');
  mkdirSync(screenshots, { recursive: true });
  root = mkdtempSync(join(tmpdir(), 'cellpipe-vscode-cluster-'));
  const workspace = join(root, 'workspace');
  mkdirSync(join(workspace, 'word-stats'), { recursive: true });
  for (const file of ['word_stats.ipynb', 'corpus.txt']) {
    cpSync(join(repo, 'examples', 'word-stats', file), join(workspace, 'word-stats', file));
  }
  vscode = await startVsCode({
    codeServer,
    vsix,
    root,
    workspace,
    // Cache off: no step is memoized from an earlier run of the same code, so every step runs as a pod.
    settings: { 'cellpipe.backend': 'argo', 'cellpipe.namespace': namespace, 'cellpipe.cache': false },
  });
  page = vscode.page;
});

after(async () => {
  await vscode?.stop();
  if (root && !process.env.CELLPIPE_E2E_KEEP) rmSync(root, { recursive: true, force: true });
});

test('with the argo backend, Run as Pipeline runs on the cluster and shows succeeded steps and metrics', async () => {
  const folder = page.locator('.explorer-folders-view .monaco-list-row[aria-label="word-stats"]');
  await folder.waitFor({ state: 'visible', timeout: 60_000 });
  await folder.click();
  const notebookItem = page.locator('.explorer-folders-view .monaco-list-row[aria-label="word_stats.ipynb"]');
  await notebookItem.waitFor({ state: 'visible', timeout: 60_000 });
  // The extension's menu entries appear once code-server has registered it, which a loaded machine can delay.
  const entry = page.locator('.context-view .action-label', { hasText: 'Run as Pipeline' }).first();
  await waitFor(
    'Run as Pipeline in the Explorer context menu',
    async () => {
      await notebookItem.click({ button: 'right' });
      if (await visibleWithin(entry, 5_000)) return true;
      await page.keyboard.press('Escape');
      return false;
    },
    120_000,
  );
  await entry.hover();
  // VS Code's menus ignore a click that lands while they are still opening; Enter on the hovered entry does not.
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');

  const header = page.locator('.pane-header', { hasText: /cellpipe Runs/i });
  await header.waitFor({ state: 'visible', timeout: 60_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const rows = await waitFor('every step succeeded in the Runs view', async () => {
    const texts = await runsViewTexts();
    const done = WORD_STATS_STEPS.every((step) =>
      texts.some((text) => text.startsWith(step) && /succeeded/.test(text)),
    );
    return done && texts.some((text) => /word_stats\.ipynb\s*succeeded/.test(text)) && texts;
  });
  assert.ok(!rows.some((text) => /failed/.test(text)), `no step fails: ${rows.join(' | ')}`);
  // The run row names its backend and its id, which is the Workflow's name.
  const runRow = rows.find((text) => /word_stats\.ipynb\s*succeeded/.test(text));
  const match = /· argo · (\S+)$/.exec(runRow);
  assert.ok(match, `the run is listed as an argo run: ${runRow}`);
  assert.equal(workflowPhase(match[1], namespace), 'Succeeded');

  const cellStates = () => page.locator('.notebook-editor .cell-status-item').allInnerTexts();
  await waitFor('cells show succeeded with a time', async () =>
    (await cellStates()).some((text) => /succeeded \d/.test(text)),
  );
  await waitFor("the cluster step's metric on its last cell", async () =>
    (await cellStates()).some((text) => /vocabulary 69/.test(text)),
  );
  await page.screenshot({ path: join(screenshots, 'cluster-run.png') });
});
