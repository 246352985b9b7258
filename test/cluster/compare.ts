/**
 * A cluster run next to a local run of the same notebook: the cluster's step outputs are downloaded from the
 * S3 store (Argo's tgz archives, under the keys in the Workflow's status) and checked, like the local run's
 * saved values, against one top-to-bottom execution of the notebook.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { analyzeNotebook, readNotebook, type RunEvent } from '../../packages/core/src/index.js';
import { buildTracePlan, runTracer, verifyRun, type RunVerification } from '../../packages/core/src/verify/index.js';
import type { RunRecord } from '../../packages/core/src/run/local/record.js';
import { extractArtifact, podNodes, python, readJson, s3Object, workflow } from './harness.js';

type Finished = Extract<RunEvent, { type: 'run-finished' }>;

export function finishedEvent(events: RunEvent[]): Finished {
  const last = events.at(-1);
  if (last?.type !== 'run-finished') throw new Error(`the last event is ${last?.type ?? 'missing'}, not run-finished`);
  return last;
}

/** Per step, its states in order, without the waiting ones (local steps queue, cluster steps are pending). */
export function stateSequences(events: RunEvent[]): Record<string, string[]> {
  const sequences: Record<string, string[]> = {};
  for (const event of events) {
    if (event.type !== 'step-state' || event.state === 'pending' || event.state === 'queued') continue;
    const sequence = (sequences[event.step] ??= []);
    if (sequence.at(-1) !== event.state) sequence.push(event.state);
  }
  return sequences;
}

/** The step-metric events as `step name[index]=value` lines, sorted. */
export function metricEvents(events: RunEvent[]): string[] {
  return events
    .filter((event) => event.type === 'step-metric')
    .map((event) => `${event.step} ${event.name}[${event.index ?? ''}]=${JSON.stringify(event.value)}`)
    .sort();
}

/** What each step printed on stdout, joined. */
export function stdoutByStep(events: RunEvent[]): Record<string, string> {
  const text: Record<string, string> = {};
  for (const event of events)
    if (event.type === 'step-log' && event.stream === 'stdout')
      text[event.step] = (text[event.step] ?? '') + event.text;
  return text;
}

/**
 * Writes a run record for the cluster run: each step's outputs downloaded from the store into `work`; the
 * step specs (what the loader needs to read the outputs back) are the local run's, made from the same notebook.
 */
export async function clusterRecord(
  cluster: Finished,
  local: RunRecord,
  localDir: string,
  work: string,
): Promise<string> {
  const nodes = podNodes(await workflow(cluster.runId));
  const steps = [];
  for (const step of local.steps) {
    const key = nodes.get(step.name)?.outputs?.artifacts?.find((artifact) => artifact.name === 'out')?.s3?.key;
    const outDir = join(work, 'steps', step.name, 'out');
    mkdirSync(dirname(outDir), { recursive: true });
    if (key) await extractArtifact(await s3Object(key), outDir);
    const metrics = cluster.metrics[step.name] ?? {};
    // Relative to the record's folder, as a run record keeps them.
    const spec = relative(work, resolve(localDir, step.spec));
    steps.push({ ...step, state: 'succeeded', cached: false, metrics, spec, outDir: relative(work, outDir) });
  }
  writeFileSync(join(work, 'run.json'), JSON.stringify({ ...local, runId: cluster.runId, steps }));
  return work;
}

/** Both runs' saved values and metrics against one top-to-bottom execution of the notebook. */
export async function verifyBoth(
  notebookPath: string,
  localRecordDir: string,
  clusterRecordDir: string,
): Promise<{ local: RunVerification; cluster: RunVerification }> {
  const notebook = readNotebook(readFileSync(notebookPath, 'utf8'), notebookPath);
  const local = readJson<RunRecord>(join(localRecordDir, 'run.json'));
  const plan = buildTracePlan(notebook, analyzeNotebook(notebook), local.parameters);
  const trace = await runTracer({ notebookPath, plan, python });
  return {
    local: await verifyRun(notebookPath, localRecordDir, trace, { python }),
    cluster: await verifyRun(notebookPath, clusterRecordDir, trace, { python }),
  };
}
