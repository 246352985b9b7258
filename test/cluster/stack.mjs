// The test cluster as scripts see it: whether it is up, and starting/stopping it with build.sh, up.sh, down.sh.
// Shared by scripts/e2e-cluster.mjs, bench/cluster-loop/run.mjs and the editors' UI tests on the cluster.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const clusterRoot = process.env.CLUSTER_ROOT ?? join(homedir(), '.cache', 'cellpipe-test-cluster');
export const adminKubeconfig = join(clusterRoot, 'run', 'admin.kubeconfig');
export const userKubeconfig = join(clusterRoot, 'run', 'dev.kubeconfig');
export const kubectlPath = join(clusterRoot, 'bin', 'kubectl');
const env = { ...process.env, CLUSTER_ROOT: clusterRoot };

/** Runs one of the stack's scripts, its output on this terminal; returns its exit status. */
export function stackScript(name, log = console.log) {
  const started = Date.now();
  const result = spawnSync('bash', [join(here, name)], { stdio: 'inherit', env });
  log(`${name}: exit ${result.status ?? result.signal} after ${Math.round((Date.now() - started) / 1000)}s`);
  return result.status ?? 1;
}

/** Whether the stack of this CLUSTER_ROOT runs: its PID file names live processes and the API server answers. */
export function stackRunning() {
  const pids = join(clusterRoot, 'run', 'pids');
  if (!existsSync(pids)) return false;
  const alive = readFileSync(pids, 'utf8')
    .split('\n')
    .filter(Boolean)
    .every((line) => existsSync(`/proc/${line.split(' ')[1]}`));
  return alive && spawnSync(kubectlPath, ['--kubeconfig', adminKubeconfig, 'get', '--raw', '/readyz']).status === 0;
}

/**
 * Builds (cached) and starts the stack unless it is already up; returns whether this call started it (and so
 * must stop it with `stopStack`). Throws when it cannot, after stopping whatever it had started.
 */
export function ensureStack(log = console.log) {
  if (stackScript('build.sh', log) !== 0) throw new Error('building the test cluster failed');
  if (stackRunning()) {
    log(`the test cluster of ${clusterRoot} is already up: using it, leaving it up`);
    return false;
  }
  if (stackScript('up.sh', log) !== 0) {
    stackScript('down.sh', log);
    throw new Error('starting the test cluster failed');
  }
  return true;
}

export function stopStack(log = console.log) {
  return stackScript('down.sh', log);
}

/** The phase of Workflow `name` in `namespace`, as the cluster's admin reads it (the editors' UI tests check it). */
export function workflowPhase(name, namespace) {
  const args = [
    '--kubeconfig',
    adminKubeconfig,
    '-n',
    namespace,
    'get',
    'workflow',
    name,
    '-o',
    'jsonpath={.status.phase}',
  ];
  return spawnSync(kubectlPath, args, { encoding: 'utf8' }).stdout;
}
