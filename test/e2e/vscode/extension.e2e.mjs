// End-to-end: the packaged .vsix installed into a real VS Code (code-server) and driven in headless Debian Chromium.
// Run through `npm run e2e:vscode` (scripts/e2e-vscode.mjs), which installs code-server and builds the .vsix.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, runsViewTexts as runsViewTextsIn, startVsCode, waitFor as waitForIn } from './codeServer.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const codeServer = process.env.CELLPIPE_CODE_SERVER;
const vsix = process.env.CELLPIPE_VSIX;
const python = process.env.CELLPIPE_PYTHON || join(repo, '.venv', 'bin', 'python');
const screenshots = join(repo, 'test-results', 'vscode');
const readmeImages = join(repo, 'vscode-extension', 'docs', 'images');
const WORD_STATS_STEPS = ['read', 'tokenize', 'count-words', 'count-bigrams', 'lengths', 'report'];

let root;
let workspace;
let vscode;
let page;

function failingNotebook() {
  const cell = (id, tags, source) => ({
    cell_type: 'code',
    id,
    metadata: { tags },
    execution_count: null,
    outputs: [],
    source,
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' },
    },
    cells: [
      cell(
        'a1',
        ['step:prepare'],
        'import cellpipe\nfor epoch, loss in enumerate([0.9, 0.5, 0.3]):\n    cellpipe.log_metric("loss", loss, index=epoch)\ndenominator = 0\nnumerator = 10\n',
      ),
      cell('b2', ['step:divide'], 'print("dividing")\nratio = numerator / denominator\n'),
      cell('c3', [], 'untagged = 1\n'),
    ],
  };
}

function warningsNotebook() {
  const notebook = failingNotebook();
  notebook.cells = [
    { ...notebook.cells[0], id: 'w1', metadata: { tags: ['stepp:typo'] } },
    { ...notebook.cells[1], id: 'w2', source: 'ratio = (numerator /\n' },
  ];
  return notebook;
}

const runsViewTexts = () => runsViewTextsIn(page);

function waitFor(description, predicate, timeoutMs = 120_000) {
  return waitForIn(page, screenshots, description, predicate, timeoutMs);
}

async function explorerItem(name) {
  const item = page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  return item;
}

async function contextMenu(fileName, action) {
  const item = await explorerItem(fileName);
  await item.click({ button: 'right' });
  const entry = page.locator('.context-view .action-label', { hasText: action }).first();
  await entry.waitFor({ state: 'visible', timeout: 15_000 });
  await entry.hover();
  // VS Code's menus ignore a click that lands while they are still opening; Enter on the hovered entry does not.
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await entry.waitFor({ state: 'hidden', timeout: 15_000 });
}

async function openRunsView() {
  const header = page.locator('.pane-header', { hasText: /cellpipe Runs/i });
  await header.waitFor({ state: 'visible' });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
}

async function cellStatusTexts() {
  return page.locator('.notebook-editor .cell-status-item').allInnerTexts();
}

async function closeAllEditors() {
  await page.keyboard.press('Escape');
  await runCommand(page, 'View: Close All Editors');
  // Run outputs and compiled YAML leave editors unsaved; the test discards them.
  const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" });
  // Compiled YAML opens as named untitled documents; on a loaded machine the save dialog can take seconds to show.
  await dontSave.click({ timeout: 15_000 }).catch(() => undefined);
}

before(async () => {
  assert.ok(
    codeServer && existsSync(codeServer),
    'CELLPIPE_CODE_SERVER must point at code-server (npm run e2e:vscode sets it)',
  );
  assert.ok(vsix && existsSync(vsix), 'CELLPIPE_VSIX must point at the packaged extension');
  mkdirSync(screenshots, { recursive: true });
  mkdirSync(readmeImages, { recursive: true });
  root = mkdtempSync(join(tmpdir(), 'cellpipe-vscode-e2e-'));
  workspace = join(root, 'workspace');
  mkdirSync(join(workspace, 'word-stats'), { recursive: true });
  for (const file of ['word_stats.ipynb', 'corpus.txt']) {
    cpSync(join(repo, 'examples', 'word-stats', file), join(workspace, 'word-stats', file));
  }
  mkdirSync(join(workspace, 'wine'), { recursive: true });
  cpSync(join(repo, 'examples', 'wine', 'wine.ipynb'), join(workspace, 'wine', 'wine.ipynb'));
  writeFileSync(join(workspace, 'failing.ipynb'), JSON.stringify(failingNotebook(), null, 1));
  vscode = await startVsCode({ codeServer, vsix, root, workspace, settings: { 'cellpipe.pythonPath': python } });
  page = vscode.page;
  // Extensions load after the workbench; the built-in ipynb serializer must be ready before a notebook opens.
  await page.waitForTimeout(3000);
});

after(async () => {
  await vscode?.stop();
  if (root && !process.env.CELLPIPE_E2E_KEEP) rmSync(root, { recursive: true, force: true });
});

test('Run as Pipeline from the Explorer context menu runs every step and shows metrics inline', async () => {
  await (await explorerItem('word-stats')).click();
  await contextMenu('word_stats.ipynb', 'Run as Pipeline');
  // The run names the interpreter it uses.
  await waitFor('the interpreter named at run start', async () =>
    (
      await page
        .locator('.statusbar')
        .innerText()
        .catch(() => '')
    ).includes(`with ${python}`),
  );
  await page.locator('.notebook-editor:visible').first().waitFor({ state: 'visible', timeout: 60_000 });
  // The notebook only renders the cells on screen; the Runs view lists every step of the run.
  await openRunsView();
  const rows = await waitFor('every step succeeded in the Runs view', async () => {
    const texts = await runsViewTexts();
    const done = WORD_STATS_STEPS.every((step) =>
      texts.some((text) => text.startsWith(step) && /succeeded|cached/.test(text)),
    );
    return done && texts;
  });
  assert.ok(!rows.some((text) => /failed/.test(text)), `no step fails: ${rows.join(' | ')}`);
  assert.ok(
    rows.some((text) => /word_stats\.ipynb\s*succeeded/.test(text)),
    `the run succeeded: ${rows.join(' | ')}`,
  );
  const cellStates = await cellStatusTexts();
  assert.ok(
    cellStates.some((text) => /step: read/.test(text)),
    `cells show their step: ${cellStates.join(' | ')}`,
  );
  assert.ok(
    cellStates.some((text) => /succeeded \d/.test(text)),
    `cells show state and time: ${cellStates.join(' | ')}`,
  );
  await waitFor("metrics on the status bar of the step's last cell", async () =>
    (await cellStatusTexts()).some((text) => /vocabulary 69/.test(text)),
  );
  await waitFor('a notification that the run ended', async () =>
    /word_stats\.ipynb succeeded/.test(
      await page
        .locator('.notifications-toasts')
        .innerText()
        .catch(() => ''),
    ),
  );
  await page.locator('.notebook-editor:visible .cell-list-container').hover();
  await page.mouse.wheel(0, 250);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(screenshots, 'run.png') });
  await page.screenshot({ path: join(readmeImages, 'run.png') });
});

test('Show Pipeline Graph draws every step', async () => {
  await contextMenu('word_stats.ipynb', 'Show Pipeline Graph');
  const steps = await waitFor('graph with every step', async () => {
    for (const frame of page.frames()) {
      const names = await frame
        .evaluate(() => [...document.querySelectorAll('#graph .step .step-name')].map((node) => node.textContent))
        .catch(() => []);
      if (names.length > 0) return names;
    }
    return undefined;
  });
  assert.deepEqual([...steps].sort(), [...WORD_STATS_STEPS].sort());
  await page.screenshot({ path: join(screenshots, 'graph.png') });
  await page.screenshot({ path: join(readmeImages, 'graph.png') });
  await closeAllEditors();
});

test('Compile Pipeline… opens Argo and KFP YAML in editors', async () => {
  for (const [target, marker] of [
    ['Argo Workflow', /kind: Workflow/],
    ['Kubeflow Pipelines v2', /pipelineInfo:/],
  ]) {
    await contextMenu('word_stats.ipynb', 'Compile Pipeline');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: target }).first().click();
    await page
      .locator('.tab', { hasText: `word_stats.${target === 'Argo Workflow' ? 'argo' : 'kfp'}.yaml` })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor(`${target} YAML`, async () => {
      const text = await page
        .locator('.editor-group-container .monaco-editor .view-lines')
        .last()
        .innerText()
        .catch(() => '');
      // Monaco draws spaces as no-break spaces.
      return marker.test(text.replaceAll('\u00a0', ' '));
    });
  }
  await closeAllEditors();
});

test('a failing step shows failed and its traceback on the cell that raised', async () => {
  await contextMenu('failing.ipynb', 'Run as Pipeline');
  await waitFor('the divide step failed', async () =>
    (await cellStatusTexts()).some((text) => text.includes('failed')),
  );
  await waitFor('a notification naming the failed step', async () =>
    /failing\.ipynb failed in step 'divide'/.test(
      await page
        .locator('.notifications-toasts')
        .innerText()
        .catch(() => ''),
    ),
  );
  // The traceback is a Problem on the line that raised, with cells numbered from 1 (divide is the 2nd cell).
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const problems = await waitFor('the traceback in Problems', async () => {
    const text = await page
      .locator('.markers-panel')
      .innerText()
      .catch(() => '');
    return /ZeroDivisionError/.test(text) && text;
  });
  assert.match(problems, /cellpipe run/);
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'ZeroDivisionError' }).first().hover();
  await waitFor(
    'the traceback numbered from 1',
    async () =>
      /cell 2, line 2/.test(
        await page
          .locator('.markers-panel')
          .innerText()
          .catch(() => ''),
      ) ||
      /cell 2, line 2/.test(
        await page
          .locator('.monaco-hover')
          .innerText()
          .catch(() => ''),
      ),
  );
  // The prepare step succeeded before divide failed: its metric series opens as a chart with axes.
  await page
    .locator('.notebook-editor:visible .cell-status-item', { hasText: /loss 0\.3/ })
    .first()
    .click();
  await waitFor('the loss chart', async () => {
    for (const frame of page.frames()) {
      const found = await frame
        .evaluate(() => document.querySelectorAll('img[src^="data:image/svg+xml"]').length)
        .catch(() => 0);
      if (found > 0) return true;
    }
    return false;
  });
  await page.screenshot({ path: join(screenshots, 'failed.png') });
  // The state item opens the step's log as a read-only text document.
  await page
    .locator('.notebook-editor:visible .cell-status-item', { hasText: /failed/ })
    .first()
    .click();
  const log = await waitFor('the step log', async () => {
    const text = await page
      .locator('.editor-group-container .monaco-editor:not(.notebook-editor *) .view-lines')
      .last()
      .innerText()
      .catch(() => '');
    return /dividing/.test(text) && /ZeroDivisionError/.test(text) && text;
  });
  assert.match(log, /dividing/);
  await runCommand(page, 'View: Close Editor');
});

test('the tag quick pick writes a step tag into the ipynb cell metadata', async () => {
  await (await explorerItem('failing.ipynb')).click();
  // The third cell of failing.ipynb has no tag: it continues 'divide'.
  const continuation = page.locator('.notebook-editor:visible .cell-status-item', { hasText: /^\s*divide\s*$/ });
  await continuation.first().waitFor({ state: 'visible' });
  await continuation.first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'visible' });
  const offered = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
  // The cell's current role comes first, so Enter on the open quick pick changes nothing.
  assert.match(offered[0] ?? '', /Continue[\s\S]*current/);
  assert.ok(
    offered.some((text) => text.includes('step:prepare')),
    `existing steps offered: ${offered.join(' | ')}`,
  );
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'New step' }).first().click();
  await page.locator('.quick-input-widget input').fill('summarize');
  await page.keyboard.press('Enter');
  await waitFor('the cell shows its new step', async () =>
    (await cellStatusTexts()).some((text) => text.includes('step: summarize')),
  );
  await runCommand(page, 'File: Save');
  const saved = await waitFor('the tag saved to disk', async () => {
    const notebook = JSON.parse(readFileSync(join(workspace, 'failing.ipynb'), 'utf8'));
    return notebook.cells.find((each) => each.id === 'c3' && each.metadata?.tags?.includes('step:summarize'));
  });
  assert.deepEqual(saved.metadata.tags, ['step:summarize']);
});

test('analysis warnings are Problems on the cells', async () => {
  writeFileSync(join(workspace, 'warnings.ipynb'), JSON.stringify(warningsNotebook(), null, 1));
  await (await explorerItem('warnings.ipynb')).click();
  await page.locator('.notebook-editor:visible').first().waitFor({ state: 'visible', timeout: 60_000 });
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const problems = await waitFor('problems listed', async () => {
    const text = await page
      .locator('.markers-panel')
      .innerText()
      .catch(() => '');
    return /stepp:typo/.test(text) && /syntax/i.test(text) && text;
  });
  assert.match(problems, /cellpipe/);
  await page.screenshot({ path: join(screenshots, 'problems.png') });
});

test('the Runs view cancels a running pipeline and re-runs it', async () => {
  const slow = failingNotebook();
  slow.cells = [
    { ...slow.cells[2], id: 's1', metadata: { tags: ['step:wait'] }, source: 'import time\ntime.sleep(120)\n' },
  ];
  writeFileSync(join(workspace, 'slow.ipynb'), JSON.stringify(slow, null, 1));
  // The Runs view redraws every second while a run goes; its inline actions are clicked where they are drawn.
  await contextMenu('slow.ipynb', 'Run as Pipeline');
  await openRunsView();
  await waitFor('the first run running', async () =>
    (await runsViewTexts()).some((text) => /slow\.ipynb\s*running/.test(text)),
  );
  // A second Run while one goes asks first; keeping the run starts nothing.
  await contextMenu('slow.ipynb', 'Run as Pipeline');
  const keep = page.locator('.notifications-toasts .monaco-button', { hasText: 'Keep It Running' });
  await keep.first().waitFor({ state: 'visible', timeout: 30_000 });
  await keep.first().click();
  await keep.first().waitFor({ state: 'hidden', timeout: 15_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.waitForTimeout(1500);
  assert.equal((await runsViewTexts()).filter((text) => /slow\.ipynb/.test(text)).length, 1);
  const runRow = () =>
    page
      .locator('.pane', { has: page.locator('.pane-header', { hasText: /cellpipe Runs/i }) })
      .locator('.monaco-list-row', { hasText: 'slow.ipynb' });
  await waitFor('the slow step running', async () =>
    (await runsViewTexts()).some((text) => /^wait\s*running/.test(text)),
  );
  await runRow().first().hover();
  await runRow().first().locator('.action-label[aria-label="Cancel Run"]').click({ force: true });
  await waitFor('the run cancelled', async () =>
    (await runsViewTexts()).some((text) => /slow\.ipynb\s*cancelled/.test(text)),
  );
  await runRow().first().hover();
  await runRow().first().locator('.action-label[aria-label="Re-run"]').click({ force: true });
  await waitFor('a second run of the notebook', async () => (await runRow().count()) >= 2);
  await waitFor('the second run running', async () =>
    (await runsViewTexts()).some((text) => /slow\.ipynb\s*running/.test(text)),
  );
  await runRow().first().hover();
  await runRow().first().locator('.action-label[aria-label="Cancel Run"]').click({ force: true });
  await waitFor(
    'the second run cancelled',
    async () => (await runsViewTexts()).filter((text) => /slow\.ipynb\s*cancelled/.test(text)).length >= 2,
  );
});

test("Ctrl+Z after a run undoes the user's edit, not the run", async () => {
  await closeAllEditors();
  const quick = failingNotebook();
  quick.cells = [{ ...quick.cells[2], id: 'u1', metadata: { tags: ['step:one'] }, source: 'value = 1\n' }];
  writeFileSync(join(workspace, 'undo.ipynb'), JSON.stringify(quick, null, 1));
  await (await explorerItem('undo.ipynb')).click();
  const editor = page.locator('.notebook-editor:visible .monaco-editor').first();
  await editor.waitFor({ state: 'visible', timeout: 60_000 });
  await editor.click();
  await page.keyboard.press('End');
  await page.keyboard.type('  # edited');
  await page.keyboard.press('Escape');
  await runCommand(page, 'cellpipe: Run as Pipeline');
  await waitFor('the run finished', async () =>
    (await cellStatusTexts()).some((text) => /succeeded|cached/.test(text)),
  );
  await editor.click();
  await page.keyboard.press('Control+z');
  await waitFor('the edit undone by one Ctrl+Z', async () => {
    const text = (
      await editor
        .locator('.view-lines')
        .innerText()
        .catch(() => '')
    ).replaceAll('\u00a0', ' ');
    return /value = 1/.test(text) && !/# edited/.test(text);
  });
  // The run's state is still shown: undo did not touch it.
  assert.ok((await cellStatusTexts()).some((text) => /succeeded|cached/.test(text)));
  await closeAllEditors();
});

test('first run of the wine example with the interpreter the README sets up: every step succeeds', async () => {
  await (await explorerItem('wine')).click();
  await contextMenu('wine.ipynb', 'Run as Pipeline');
  await openRunsView();
  const rows = await waitFor(
    'the wine run finished',
    async () => {
      const texts = await runsViewTexts();
      return texts.some((text) => /wine\.ipynb\s*(succeeded|failed)/.test(text)) && texts;
    },
    240_000,
  );
  assert.ok(
    rows.some((text) => /wine\.ipynb\s*succeeded/.test(text)),
    `the wine run succeeded: ${rows.join(' | ')}`,
  );
  await page.screenshot({ path: join(screenshots, 'wine-first-run.png') });
  await closeAllEditors();
});
