// A real VS Code for tests and benchmarks: code-server with the packaged .vsix installed into a per-run profile,
// opened in headless Debian Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

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

async function waitForHttp(url, log) {
  for (let attempt = 0; attempt < 480; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
  throw new Error(`code-server did not answer at ${url}:\n${log()}`);
}

/**
 * Installs `vsix` into a fresh profile under `root`, serves `workspace` with code-server and opens it in Chromium.
 * `settings` become the user settings (workspace trust is turned off so no dialog blocks the clicks).
 */
export async function startVsCode({ codeServer, vsix, root, workspace, settings = {}, viewport }) {
  const userData = join(root, 'user-data');
  const extensions = join(root, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.ignoreRecommendations': true,
      ...settings,
    }),
  );
  const env = { ...process.env, VSCODE_IPC_HOOK_CLI: '' };
  const install = spawnSync(
    process.execPath,
    [codeServer, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix],
    { encoding: 'utf8', env },
  );
  if (install.status !== 0) throw new Error(`installing ${vsix} failed:\n${install.stdout}\n${install.stderr}`);

  const port = await freePort();
  let log = '';
  const server = spawn(
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
    // Its own process group, so the extension host and watchers it forks stop with it.
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  server.stdout.on('data', (chunk) => (log += chunk));
  server.stderr.on('data', (chunk) => (log += chunk));
  const stopServer = () => {
    try {
      if (server.pid) process.kill(-server.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', stopServer);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, () => log);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: viewport ?? { width: 1600, height: 1000 } });
    // A loaded 2-core machine serves the workbench's first load slower than Playwright's default 30 s.
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 180_000 });
    await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 120_000 });
    return {
      page,
      log: () => log,
      async stop() {
        await browser.close();
        stopServer();
      },
    };
  } catch (error) {
    stopServer();
    throw error;
  }
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/** Polls `predicate` until it returns something truthy; on timeout saves a screenshot named after `description`. */
export async function waitFor(page, screenshots, description, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const last = await predicate();
    if (last) return last;
    await page.waitForTimeout(500);
  }
  await page.screenshot({ path: join(screenshots, `timeout-${description.replace(/\W+/g, '-')}.png`) });
  throw new Error(`timed out waiting for ${description}`);
}

/** Every row of the cellpipe Runs view: the list renders only what is on screen, so it is paged through from the top. */
export async function runsViewTexts(page) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /cellpipe Runs/i }) });
  const list = pane.locator('.monaco-list').first();
  const texts = new Set();
  await list.focus();
  await page.keyboard.press('Home');
  for (let pageDown = 0; pageDown < 6; pageDown++) {
    for (const text of await pane.locator('.monaco-list-row').allInnerTexts())
      texts.add(text.replace(/\s+/g, ' ').trim());
    await page.keyboard.press('PageDown');
    await page.waitForTimeout(100);
  }
  await page.keyboard.press('Home');
  return [...texts];
}
