/** Runs the real `cellpipe` CLI (built lib) on generated notebooks, with the repository's Python venv. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNotebook, notebookToJson, type CellSketch } from '../packages/core/src/index.js';

export const repo = join(import.meta.dirname, '..');
export const python = join(repo, '.venv', 'bin', 'python');
const bin = join(repo, 'packages', 'cli', 'bin', 'cellpipe.js');

/** Brings packages/core and packages/cli lib/ and the CLI bundle up to date (incremental; serialized across jest workers). */
export function buildCli(): void {
  const result = spawnSync(
    'flock',
    ['/tmp/cellpipe-tsc.lock', 'npm', 'run', '--silent', 'build', '-w', 'packages/cli'],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  );
  // A failed build fails the tests: running the previous bundle would test code that is not the source.
  if (result.status !== 0) throw new Error(`building the CLI failed:\n${result.stdout}${result.stderr}`);
}

/** A fresh folder holding `nb.ipynb` built from the cell sketches. */
export function notebookFolder(cells: CellSketch[]): { dir: string; notebook: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cellpipe-cli-'));
  const notebook = join(dir, 'nb.ipynb');
  writeFileSync(notebook, notebookToJson(buildNotebook(cells)));
  return { dir, notebook };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, CELLPIPE_PYTHON: python },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function runCli(args: string[], cwd: string): Promise<CliResult> {
  const child = startCli(args, cwd);
  child.stdin?.end();
  return collect(child);
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function readFileSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether process `pid` is gone (or a zombie) within `withinMs`; polls because reaping is asynchronous. */
export async function processEnds(pid: number, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const stat = readFileSafe(`/proc/${pid}/stat`);
    if (stat === undefined || stat.includes(') Z ')) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
