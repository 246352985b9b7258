// The .vsix installed into a fresh code-server profile (the e2e harness's code-server), a workspace outside the
// checkout: the extension activates and Run as Pipeline runs the demo notebook to success.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installCodeServer } from '../../scripts/e2e-vscode.mjs';
import { startVsCode } from '../e2e/vscode/codeServer.mjs';
import { artifact, home, python, workFolder } from './common.mjs';

let vscode;
let workspace;

before(async () => {
  const codeServer = installCodeServer();
  workspace = workFolder('vscode');
  vscode = await startVsCode({
    codeServer,
    vsix: artifact('cellpipe-vscode-', '.vsix'),
    root: mkdtempSync(join(home, 'code-server-')),
    workspace,
    settings: { 'cellpipe.pythonPath': python },
  });
});

after(async () => vscode?.stop());

function latestRecord() {
  const runs = join(workspace, '.cellpipe', 'runs');
  if (!existsSync(runs)) return undefined;
  const [latest] = readdirSync(runs).sort().reverse();
  try {
    return latest && JSON.parse(readFileSync(join(runs, latest, 'run.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

test('the installed extension activates and runs the demo notebook', async () => {
  const { page } = vscode;
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill('wine.ipynb');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'wine.ipynb' }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.notebook-editor:visible').first().waitFor({ state: 'visible', timeout: 60_000 });
  // The notebook toolbar's button, as a user runs it.
  await page
    .locator('.notebook-toolbar-container')
    .getByRole('button', { name: 'Run as Pipeline' })
    .first()
    .click({ timeout: 60_000 });
  const started = Date.now();
  let record = latestRecord();
  while (!record && Date.now() < started + 90_000) {
    await page.waitForTimeout(1000);
    record = latestRecord();
  }
  if (!record) {
    const notifications = await page.locator('.notifications-toasts, .notification-toast').allInnerTexts();
    assert.fail(`no run started within 90 s of Run as Pipeline; notifications: ${JSON.stringify(notifications)}`);
  }
  while (record.state === 'running' && Date.now() < started + 300_000) {
    await page.waitForTimeout(1000);
    record = latestRecord() ?? record;
  }
  const steps = record.steps?.map((s) => [s.name, s.state, s.reason]);
  assert.equal(record.state, 'succeeded', `run ${record.runId}: ${record.reason ?? ''} ${JSON.stringify(steps)}`);
  assert.equal(record.python, python);
});
