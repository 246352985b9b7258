/**
 * What the cluster loop tests share: the running test cluster (started by scripts/e2e-cluster.mjs), kubectl as
 * its admin, the S3 store's objects, and the `cellpipe` CLI pointed at the cluster as the restricted user `dev`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { RunEvent } from '../../packages/core/src/index.js';
import { python, repo, runCli, startCli, type CliResult } from '../cliHarness.js';

export { python, repo };

const exec = promisify(execFile);
export const clusterRoot = process.env.CLUSTER_ROOT ?? join(homedir(), '.cache', 'cellpipe-test-cluster');
const run = join(clusterRoot, 'run');
/** The restricted user the CLI runs as: Workflows, pods/log and ConfigMaps in namespace argo, nothing else. */
export const userKubeconfig = join(run, 'dev.kubeconfig');
const adminKubeconfig = join(run, 'admin.kubeconfig');
const S3_ENDPOINT = 'http://127.0.0.1:19000';
const S3_BUCKET = 'cellpipe-artifacts';

/** kubectl as the cluster's admin, in namespace argo; returns stdout. */
export async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec(
    join(clusterRoot, 'bin', 'kubectl'),
    ['--kubeconfig', adminKubeconfig, '-n', 'argo', ...args],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

export async function kubectlJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(...args, '-o', 'json')) as T;
}

export interface WorkflowNode {
  id: string;
  displayName: string;
  type: string;
  phase: string;
  message?: string;
  templateName?: string;
  memoizationStatus?: { hit: boolean };
  outputs?: {
    artifacts?: { name: string; s3?: { key: string } }[];
    parameters?: { name: string; value?: string }[];
    exitCode?: string;
  };
}

export interface Workflow {
  metadata: { name: string; uid: string };
  status?: { phase?: string; nodes?: Record<string, WorkflowNode> };
}

export async function workflow(name: string): Promise<Workflow> {
  return kubectlJson<Workflow>('get', 'workflow', name);
}

/** The Workflow's pod nodes by task name (the retry's and memoized ones too). */
export function podNodes(wf: Workflow): Map<string, WorkflowNode> {
  return new Map(
    Object.values(wf.status?.nodes ?? {})
      .filter((node) => node.type === 'Pod')
      .map((node) => [node.displayName, node]),
  );
}

/** Names of the pods Argo created for a Workflow. */
export async function podsOf(name: string): Promise<string[]> {
  const list = await kubectlJson<{ items: { metadata: { name: string } }[] }>(
    'get',
    'pods',
    '-l',
    `workflows.argoproj.io/workflow=${name}`,
  );
  return list.items.map((pod) => pod.metadata.name);
}

/** An object of the S3 store, as the executor stand-in uploaded it under Argo's key (boto3 of the stack's venv). */
export async function s3Object(key: string): Promise<Buffer> {
  const secret = await kubectlJson<{ data: Record<string, string> }>('get', 'secret', 'artifact-s3');
  const credential = (name: string): string => Buffer.from(secret.data[name] ?? '', 'base64').toString();
  const target = join(mkdtempSync(join(tmpdir(), 'cellpipe-s3-')), 'object');
  await exec(join(clusterRoot, 'venv', 'bin', 'python'), ['-c', S3_GET, S3_ENDPOINT, S3_BUCKET, key, target], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: credential('accesskey'), AWS_SECRET_ACCESS_KEY: credential('secretkey') },
  });
  return readFileSync(target);
}

const S3_GET = `import sys, boto3
endpoint, bucket, key, target = sys.argv[1:]
boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").download_file(bucket, key, target)`;

/** Unpacks one of Argo's tgz artifacts into `destination` (its single top entry becomes `destination`). */
export async function extractArtifact(archive: Buffer, destination: string): Promise<void> {
  const staging = mkdtempSync(join(tmpdir(), 'cellpipe-artifact-'));
  writeFileSync(join(staging, 'artifact.tgz'), archive);
  mkdirSync(join(staging, 'x'));
  await exec('tar', ['-xzf', join(staging, 'artifact.tgz'), '-C', join(staging, 'x')]);
  const [top, ...more] = readdirSync(join(staging, 'x'));
  if (!top || more.length) throw new Error(`artifact has ${more.length + 1} top entries, Argo writes one`);
  await exec('mv', [join(staging, 'x', top), destination]);
}

// Every CLI these tests start talks to the test cluster as user dev (namespace argo from the kubeconfig).
process.env.KUBECONFIG = userKubeconfig;

export const cellpipe = (args: string[], cwd: string): Promise<CliResult> => runCli(args, cwd);
export const startCellpipe = (args: string[], cwd: string): ReturnType<typeof startCli> => startCli(args, cwd);

/** The NDJSON events of `--json` output. */
export function events(stdout: string): RunEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RunEvent);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
