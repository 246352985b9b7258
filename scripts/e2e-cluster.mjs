#!/usr/bin/env node
// `npm run e2e:cluster`: the whole cluster loop on this machine. Installs what is missing (npm packages, .venv),
// builds the test cluster (cached under ~/.cache/cellpipe-test-cluster: a cold build takes 15-25 min on 2 cores,
// a warm one seconds), starts it, runs the jest tests in test/cluster/ and stops what it started, whatever happens.
// A stack that is already up (a developer's) is used as it is and left running.
// The jest JSON report goes to $CELLPIPE_CLUSTER_REPORT when set (npm test counts it like the other suites).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const clusterDir = join(root, 'test', 'cluster');
const clusterRoot = process.env.CLUSTER_ROOT ?? join(homedir(), '.cache', 'cellpipe-test-cluster');
const env = { ...process.env, CLUSTER_ROOT: clusterRoot };

function run(command, args, options = {}) {
  console.log(`e2e-cluster: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, ...options });
  console.log(
    `e2e-cluster: ${command} ${args[0] ?? ''} ended (exit ${result.status ?? result.signal}) after ${Math.round((Date.now() - started) / 1000)}s`,
  );
  return result.status ?? 1;
}

function must(status, what) {
  if (status !== 0) {
    console.error(`e2e-cluster: ${what} failed`);
    process.exit(status || 1);
  }
}

/** Whether the stack of this CLUSTER_ROOT runs: its PID file names live processes and the API server answers. */
function stackRunning() {
  const pids = join(clusterRoot, 'run', 'pids');
  if (!existsSync(pids)) return false;
  const alive = readFileSync(pids, 'utf8')
    .split('\n')
    .filter(Boolean)
    .every((line) => existsSync(`/proc/${line.split(' ')[1]}`));
  const kubectl = join(clusterRoot, 'bin', 'kubectl');
  const kubeconfig = join(clusterRoot, 'run', 'admin.kubeconfig');
  return alive && spawnSync(kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], { env }).status === 0;
}

must(run(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--quiet']), 'setup');
must(run('npx', ['tsc', '-b', 'packages/core', 'packages/cli']), 'building core and cli');
console.log('e2e-cluster: building the test cluster (cold: 15-25 min on 2 cores; cached: a no-op)');
must(run('bash', [join(clusterDir, 'build.sh')]), 'building the test cluster');

const reuse = stackRunning();
if (reuse) console.log(`e2e-cluster: the test cluster of ${clusterRoot} is already up: using it, leaving it up`);
else if (run('bash', [join(clusterDir, 'up.sh')]) !== 0) {
  run('bash', [join(clusterDir, 'down.sh')]);
  must(1, 'starting the test cluster');
}
// Ctrl-C or a CI timeout reaches jest too; this process stays alive to stop the stack it started.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => undefined);
let status = 1;
try {
  const report = process.env.CELLPIPE_CLUSTER_REPORT;
  status = run(process.execPath, [
    '--experimental-vm-modules',
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--ci',
    `--config=${join(clusterDir, 'jest.config.js')}`,
    ...(report ? ['--json', `--outputFile=${report}`] : []),
    ...process.argv.slice(2),
  ]);
} finally {
  if (!reuse) run('bash', [join(clusterDir, 'down.sh')]);
}
process.exit(status);
