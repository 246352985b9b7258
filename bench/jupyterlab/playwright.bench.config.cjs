// Same real JupyterLab as the UI tests (scripts/e2e-jupyterlab.mjs --bench), running the panel benchmarks.
const path = require('node:path');
const e2e = require('../../test/e2e/jupyterlab/playwright.config.cjs');

module.exports = {
  ...e2e,
  testDir: __dirname,
  testMatch: '**/*.bench.ts',
  outputDir: path.join(__dirname, 'test-results'),
  timeout: 600000,
};
