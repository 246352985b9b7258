#!/usr/bin/env node
// `npm run bench`: brings the build up to date, runs every benchmark (each `bench/<name>/run.mjs`, as its own child
// process) and rewrites bench/RESULTS.md: the machine header, then one section per benchmark, which each child
// writes itself between `<!-- <name>:start -->` and `<!-- <name>:end -->`. A missing or failing benchmark is reported
// in its section; it does not stop the others.
// Usage: node bench/run.mjs [--no-build] [NAME...]   (NAME: a folder of bench/, e.g. `compile`)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineInfo } from './common/machine.mjs';
import {
  benchDir,
  formatMs,
  readSection,
  repoRoot,
  resultsPath,
  table,
  venvPython,
  writeSection,
} from './common/results.mjs';

/** Run in this order; any other `bench/<name>/run.mjs` runs after them. The others' folders are expected too. */
const KNOWN = ['compile', 'incremental', 'local-run', 'cached-rerun', 'transfer', 'kale', 'jupyterlab', 'vscode'];
const CHILD_TIMEOUT_MS = Number(process.env.CELLPIPE_BENCH_TIMEOUT_MS ?? 30 * 60 * 1000);
const TAIL_LINES = 15;

function build() {
  const steps = [
    [process.execPath, [join(repoRoot, 'scripts', 'setup.mjs'), '--quiet']],
    ['npm', ['run', '--silent', 'build', '-w', 'packages/cli']],
  ];
  for (const [command, args] of steps) {
    console.log(`$ ${[command === process.execPath ? 'node' : command, ...args].join(' ')}`);
    const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
    if (result.status !== 0)
      return `\`${[command === process.execPath ? 'node' : command, ...args].join(' ')}\` failed (exit ${result.status ?? result.signal}); benchmarks ran against the last build`;
  }
  return 'up to date';
}

function discover() {
  const present = readdirSync(benchDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'run.mjs')))
    .map((entry) => entry.name);
  const extra = present.filter((name) => !KNOWN.includes(name)).sort();
  return [...KNOWN, ...extra];
}

/** Runs one benchmark, streaming its output; resolves with its exit status, duration and the tail of its output. */
function runChild(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(benchDir, name, 'run.mjs')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CELLPIPE_BENCH_PYTHON: venvPython },
      // Its own process group, so a timeout or Ctrl-C also stops the Python processes and browsers it started.
      detached: true,
    });
    const stopGroup = () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // The group has already exited.
      }
    };
    const onInterrupt = () => {
      stopGroup();
      process.exit(130);
    };
    process.once('SIGINT', onInterrupt);
    const tail = [];
    const keep = (stream, sink) =>
      stream.on('data', (chunk) => {
        sink.write(chunk);
        tail.push(...chunk.toString().split('\n').filter(Boolean));
        tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
      });
    keep(child.stdout, process.stdout);
    keep(child.stderr, process.stderr);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup();
    }, CHILD_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('SIGINT', onInterrupt);
      resolve({ code, signal, timedOut, elapsedMs: Date.now() - started, tail });
    });
  });
}

function header(info, buildState, summaryRows, only) {
  const lines = [
    `_Last run: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} by \`npm run bench\` (\`node bench/run.mjs\`)._`,
    '',
    `- **CPU:** ${info.cpu}, ${info.cores} cores`,
    `- **Memory:** ${info.memory}`,
    `- **OS:** ${info.os}`,
    `- **Node:** ${info.node}`,
    `- **Python:** ${info.python}`,
    `- **Disk (benchmark temp folder):** ${info.disk}`,
    `- **Build:** ${buildState}`,
    ...(only.length
      ? [`- **Partial run:** ${only.join(', ')}; the other rows and sections are from earlier runs`]
      : []),
    `- **Load average when the run started (1/5/15 min):** ${info.load}`,
  ];
  if (summaryRows.length) lines.push('', table(['Benchmark', 'Status', 'Duration'], summaryRows));
  return lines.join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.filter((arg) => !arg.startsWith('--'));
  const buildState = args.includes('--no-build') ? 'not rebuilt (--no-build)' : build();
  const info = machineInfo({ python: venvPython, workDir: tmpdir() });
  const names = discover().filter((name) => only.length === 0 || only.includes(name));
  // Benchmarks not named on the command line keep their row from the last run.
  const earlier = new Map(
    [...(readSection('machine') ?? '').matchAll(/^\| ([\w.-]+) \| ([^|]*) \| ([^|]*) \|$/gm)]
      .filter(([, name]) => name !== 'Benchmark' && !/^-+$/.test(name) && !names.includes(name))
      .map(([, name, status, duration]) => [name, [name, status.trim(), duration.trim()]]),
  );
  writeSection('machine', header(info, buildState, [...earlier.values()], only));

  const summary = [];
  for (const name of names) {
    if (!existsSync(join(benchDir, name, 'run.mjs'))) {
      console.log(`\n=== ${name}: missing (bench/${name}/run.mjs does not exist)`);
      writeSection(
        name,
        `## ${name}\n\n_Not run on ${new Date().toISOString().slice(0, 10)}: \`bench/${name}/run.mjs\` does not exist yet._`,
      );
      summary.push([name, '⚠️ missing', '']);
      continue;
    }
    console.log(`\n=== ${name}`);
    const before = readSection(name);
    const { code, signal, timedOut, elapsedMs, tail } = await runChild(name);
    if (code === 0) {
      summary.push([name, '✅ ran', formatMs(elapsedMs)]);
      continue;
    }
    const after = readSection(name);
    const how = timedOut
      ? `timed out after ${formatMs(CHILD_TIMEOUT_MS)} and was stopped`
      : signal
        ? `killed by ${signal}`
        : `exit ${code}`;
    const failure = [
      `**Benchmark failed** (${how}) after ${formatMs(elapsedMs)}.`,
      ...(tail.length ? ['Last output:', '', '```', ...tail, '```'] : ['It printed nothing.']),
    ].join('\n');
    const wroteThisRun = after !== null && after !== before && !after.includes('**Benchmark failed**');
    writeSection(name, wroteThisRun ? `${after}\n\n${failure}` : `## ${name}\n\n${failure}`);
    summary.push([name, '❌ failed', formatMs(elapsedMs)]);
  }
  const order = discover();
  const rows = [...summary, ...earlier.values()].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  writeSection('machine', header(info, buildState, rows, only));
  console.log(`\n${resultsPath} updated`);
  return summary.some(([, status]) => status.includes('failed')) ? 1 : 0;
}

process.exitCode = await main();
