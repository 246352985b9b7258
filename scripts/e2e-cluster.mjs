#!/usr/bin/env node
// `npm run e2e:cluster`: the whole cluster loop on this machine. Installs what is missing (npm packages, .venv),
// builds the test cluster (cached under ~/.cache/cellpipe-test-cluster: a cold build takes 15-25 min on 2 cores,
// a warm one seconds), starts it, runs the jest tests in test/cluster/ and stops what it started, whatever happens.
// A stack that is already up (a developer's) is used as it is and left running.
// Then, while the stack is up, each editor's UI test on it (JupyterLab and VS Code with the `argo` backend) as the
// restricted user dev, when the whole suite runs: arguments for jest (a file, `-t`) pick cluster tests only, unless
// `--editors` is among them. The jest JSON report goes to $CELLPIPE_CLUSTER_REPORT when
// set, each editor's report beside it as <report>-jupyterlab.json / <report>-vscode.json (npm test counts them all).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureStack, stopStack, userKubeconfig } from '../test/cluster/stack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line) => console.log(`e2e-cluster: ${line}`);

function run(command, args, env = process.env) {
  log(`${command} ${args.join(' ')}`);
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
}

/** One editor's UI test against the running stack; its report beside the jest one. */
function runEditorTest(editor, script, report) {
  const env = { ...process.env, KUBECONFIG: userKubeconfig, CELLPIPE_E2E_CLUSTER: '1' };
  delete env.PLAYWRIGHT_JSON_OUTPUT_NAME;
  if (report) env.PLAYWRIGHT_JSON_OUTPUT_NAME = report.replace(/\.json$/, `-${editor}.json`);
  return run(process.execPath, script, env);
}

if (run(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--quiet']) !== 0) process.exit(1);
if (run('npm', ['run', '--silent', 'build', '-w', 'packages/cli']) !== 0) process.exit(1);
log('building the test cluster (cold: 15-25 min on 2 cores; cached: a no-op), then starting it');
let started;
try {
  started = ensureStack(log);
} catch (error) {
  log(error.message);
  process.exit(1);
}
// Ctrl-C or a CI timeout reaches jest too; this process stays alive to stop the stack it started.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => undefined);
const jestArgs = process.argv.slice(2).filter((arg) => arg !== '--editors');
const editors = jestArgs.length === 0 || process.argv.includes('--editors');
let status = 1;
try {
  const report = process.env.CELLPIPE_CLUSTER_REPORT;
  status = run(process.execPath, [
    '--experimental-vm-modules',
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--ci',
    `--config=${join(root, 'test', 'cluster', 'jest.config.js')}`,
    ...(report ? ['--json', `--outputFile=${report}`] : []),
    ...jestArgs,
  ]);
  if (editors) {
    const jupyterlab = runEditorTest('jupyterlab', [join(root, 'scripts', 'e2e-jupyterlab.mjs')], report);
    const vscode = runEditorTest('vscode', [join(root, 'scripts', 'e2e-vscode.mjs'), '--cluster'], report);
    status ||= jupyterlab || vscode;
  }
} finally {
  if (started) stopStack(log);
}
process.exit(status);
