// End-to-end: the packaged .vsix installed into a real VS Code (code-server) and driven in headless Debian Chromium.
// Run through `npm run e2e:vscode` (scripts/e2e-vscode.mjs), which installs code-server and builds the .vsix.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const codeServer = process.env.CELLPIPE_CODE_SERVER;
const vsix = process.env.CELLPIPE_VSIX;
const python = process.env.CELLPIPE_PYTHON || join(repo, '.venv', 'bin', 'python');
const screenshots = join(repo, 'test-results', 'vscode');
const readmeImages = join(repo, 'vscode-extension', 'docs', 'images');
const WORD_STATS_STEPS = ['read', 'tokenize', 'count-words', 'count-bigrams', 'lengths', 'report'];

let root;
let workspace;
let server;
let browser;
let page;
let serverLog = '';

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url, attempts = 240) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
  throw new Error(`code-server did not answer at ${url}:\n${serverLog}`);
}

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
      cell('a1', ['step:prepare'], 'denominator = 0\nnumerator = 10\n'),
      cell('b2', ['step:divide'], 'print("dividing")\nratio = numerator / denominator\n'),
      cell('c3', [], 'untagged = 1\n'),
    ],
  };
}

/** Every frame's text, for outputs drawn inside the notebook's output webview. */
async function framesText() {
  const texts = await Promise.all(
    page.frames().map((frame) => frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')),
  );
  return texts.join('\n');
}

async function waitFor(description, predicate, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await predicate();
    if (last) return last;
    await page.waitForTimeout(500);
  }
  await page.screenshot({ path: join(screenshots, `timeout-${description.replace(/\W+/g, '-')}.png`) });
  throw new Error(`timed out waiting for ${description}`);
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

async function cellStatusTexts() {
  return page.locator('.notebook-editor .cell-status-item').allInnerTexts();
}

async function closeAllEditors() {
  await page.keyboard.press('Escape');
  await runCommand('View: Close All Editors');
  const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" });
  if (await dontSave.isVisible().catch(() => false)) await dontSave.click();
}

async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
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
  const userData = join(root, 'user-data');
  const extensions = join(root, 'extensions');
  cpSync(join(repo, 'examples', 'word-stats'), join(workspace, 'word-stats'), { recursive: true });
  writeFileSync(join(workspace, 'failing.ipynb'), JSON.stringify(failingNotebook(), null, 1));
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.ignoreRecommendations': true,
      'cellpipe.pythonPath': python,
    }),
  );
  const install = spawnSync(
    process.execPath,
    [codeServer, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix],
    { encoding: 'utf8', env: { ...process.env, VSCODE_IPC_HOOK_CLI: '' } },
  );
  assert.equal(install.status, 0, `installing the .vsix failed:\n${install.stdout}\n${install.stderr}`);

  const port = await freePort();
  server = spawn(
    process.execPath,
    [
      codeServer,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensions,
      workspace,
    ],
    { env: { ...process.env, VSCODE_IPC_HOOK_CLI: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout.on('data', (chunk) => (serverLog += chunk));
  server.stderr.on('data', (chunk) => (serverLog += chunk));
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 120_000 });
  // Extensions load after the workbench; the built-in ipynb serializer must be ready before a notebook opens.
  await page.waitForTimeout(3000);
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (root && !process.env.CELLPIPE_E2E_KEEP) rmSync(root, { recursive: true, force: true });
});

test('Run as Pipeline from the Explorer context menu runs every step and shows metrics inline', async () => {
  (await explorerItem('word-stats')).click();
  await contextMenu('word_stats.ipynb', 'Run as Pipeline');
  await page.locator('.notebook-editor:visible').first().waitFor({ state: 'visible', timeout: 60_000 });
  const statuses = await waitFor('every step succeeded', async () => {
    const texts = await cellStatusTexts();
    return texts.filter((text) => text.includes('succeeded')).length >= WORD_STATS_STEPS.length && texts;
  });
  assert.ok(!statuses.some((text) => text.includes('failed')), `no step fails: ${statuses.join(' | ')}`);
  const runs = page.locator('.monaco-list-row', { hasText: 'word_stats.ipynb' });
  await runs.first().waitFor({ state: 'visible' });
  await waitFor('metrics drawn by the renderer', async () => /vocabulary/.test(await framesText()));
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

test('a failing step shows failed and its traceback on the cell that raised', async () => {
  await contextMenu('failing.ipynb', 'Run as Pipeline');
  await waitFor('the divide step failed', async () =>
    (await cellStatusTexts()).some((text) => text.includes('failed')),
  );
  await waitFor('traceback on the cell', async () => /ZeroDivisionError/.test(await framesText()));
  await page.screenshot({ path: join(screenshots, 'failed.png') });
});

test('the tag quick pick writes a step tag into the ipynb cell metadata', async () => {
  await waitFor('the untagged cell offers a tag item', async () =>
    (await cellStatusTexts()).some((text) => /^\s*tag\s*$/.test(text)),
  );
  await page
    .locator('.notebook-editor .cell-status-item')
    .filter({ hasText: /^\s*tag\s*$/ })
    .first()
    .click();
  const pick = page.locator('.quick-input-widget');
  await pick.waitFor({ state: 'visible' });
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'New step' }).first().click();
  const input = page.locator('.quick-input-widget input');
  await input.fill('summarize');
  await page.keyboard.press('Enter');
  await waitFor('the cell shows its new step', async () =>
    (await cellStatusTexts()).some((text) => text.includes('step: summarize')),
  );
  await page.keyboard.press('Control+S');
  const saved = await waitFor('the tag saved to disk', async () => {
    const notebook = JSON.parse(readFileSync(join(workspace, 'failing.ipynb'), 'utf8'));
    const cell = notebook.cells.find((each) => each.id === 'c3');
    return cell?.metadata?.tags?.includes('step:summarize') && cell;
  });
  assert.deepEqual(saved.metadata.tags, ['step:summarize']);
});
