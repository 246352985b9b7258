// Galata drives a real JupyterLab (from PyPI, in the e2e venv) in Debian's chromium; never a downloaded browser.
const path = require('node:path');
const base = require('@jupyterlab/galata/lib/playwright-config');

const port = process.env.CELLPIPE_E2E_PORT ?? '8931';
const token = process.env.CELLPIPE_E2E_TOKEN;
const venvBin = process.env.CELLPIPE_E2E_VENV_BIN;
if (!token || !venvBin)
  throw new Error('run through scripts/e2e-jupyterlab.mjs (CELLPIPE_E2E_TOKEN / CELLPIPE_E2E_VENV_BIN unset)');

module.exports = {
  ...base,
  testDir: __dirname,
  // The cluster's tests run only with the test cluster up (scripts/e2e-cluster.mjs sets CELLPIPE_E2E_CLUSTER).
  testMatch: process.env.CELLPIPE_E2E_CLUSTER ? '**/*.cluster.spec.ts' : '**/*.spec.ts',
  testIgnore: process.env.CELLPIPE_E2E_CLUSTER ? [] : '**/*.cluster.spec.ts',
  outputDir: path.join(__dirname, 'test-results'),
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  workers: 1,
  retries: 0,
  timeout: 180000,
  expect: { timeout: 60000 },
  use: {
    ...base.use,
    baseURL: `http://127.0.0.1:${port}`,
    // Every request of the page carries the server token, so auth stays on and XSRF is satisfied by the header.
    extraHTTPHeaders: { Authorization: `token ${token}` },
    viewport: { width: 1366, height: 900 },
    video: 'off',
    trace: 'off',
    launchOptions: { executablePath: process.env.CELLPIPE_CHROMIUM ?? '/usr/bin/chromium' },
  },
  webServer: {
    command: `${path.join(venvBin, 'jupyter')} lab --allow-root --config ${path.join(__dirname, 'jupyter_server_test_config.py')}`,
    url: `http://127.0.0.1:${port}/api/status?token=${token}`,
    timeout: 120000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
};
