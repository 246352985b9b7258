#!/usr/bin/env node
// Transfer throughput: a 1 GiB numpy array and a 1M-row DataFrame passed from one step to the next, against this
// disk's sequential write + read speed measured in the same run. Target: ≥ 50 % of the disk's speed.
//
// Each producer cell prints time.time() as its last act and each consumer cell as its first, so the gap between them
// is: the runtime's save (serialize, hash, write) + process exit + scheduling + the consumer's start-up + the runtime's
// load. The same pipeline run with a tiny value (`-p`) measures everything but the data; the difference is the transfer.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSucceeded, runCellpipe, userEnvironment } from '../common/cli.mjs';
import { benchTempDir } from '../common/core.mjs';
import { measureDisk } from '../common/disk.mjs';
import { notebookJson } from '../common/notebooks.mjs';
import {
  benchDir,
  formatBytes,
  formatMs,
  formatRate,
  mark,
  median,
  repoRoot,
  section,
  venvPython,
  writeSection,
} from '../common/results.mjs';

const TARGET_SHARE = 0.5;
const CONTROL_RUNS = 3;
const FULL_RUNS = 2;
const python = process.env.CELLPIPE_BENCH_PYTHON ?? venvPython;
const MARK = 'cellpipe-bench';

const CASES = [
  {
    name: 'numpy array, 1 GiB float64',
    file: 'array.ipynb',
    parameter: 'n_values',
    full: 2 ** 27,
    control: 16,
    cells: [
      { type: 'code', source: 'import time\n\nimport numpy as np' },
      { type: 'code', tags: ['pipeline-parameters'], source: `n_values = ${2 ** 27}` },
      {
        type: 'code',
        tags: ['step:produce'],
        // Random values, so no layer can compress them.
        source: `values = np.random.default_rng(0).random(n_values)\nprint("${MARK} produced", repr(time.time()), values.nbytes)`,
      },
      {
        type: 'code',
        tags: ['step:consume'],
        source: `print("${MARK} consumed", repr(time.time()))\nchecksum = float(values[:: 1 + len(values) // 4096].sum())\nprint(len(values), checksum)`,
      },
    ],
  },
  {
    name: 'pandas DataFrame, 1M rows (4 numeric + 1 string column)',
    file: 'frame.ipynb',
    parameter: 'n_rows',
    full: 1_000_000,
    control: 10,
    cells: [
      { type: 'code', source: 'import time\n\nimport numpy as np\nimport pandas as pd' },
      { type: 'code', tags: ['pipeline-parameters'], source: 'n_rows = 1_000_000' },
      {
        type: 'code',
        tags: ['step:produce'],
        source: [
          'rng = np.random.default_rng(0)',
          'frame = pd.DataFrame({',
          '    "order_id": np.arange(n_rows),',
          '    "price": rng.random(n_rows) * 100,',
          '    "quantity": rng.integers(1, 50, n_rows),',
          '    "score": rng.normal(size=n_rows).astype("float32"),',
          '    "city": pd.Series(rng.integers(0, 5000, n_rows)).map(lambda code: f"city-{code:04d}"),',
          '})',
          `print("${MARK} produced", repr(time.time()), int(frame.memory_usage(deep=True).sum()))`,
        ].join('\n'),
      },
      {
        type: 'code',
        tags: ['step:consume'],
        source: `print("${MARK} consumed", repr(time.time()))\nrevenue = float((frame["price"] * frame["quantity"]).sum())\nprint(len(frame), frame["city"].nunique(), revenue)`,
      },
    ],
  },
];

/** The producer-end → consumer-start gap in ms, and the value's in-memory size, from the steps' stdout. */
function gapOf(result) {
  const text = result.events
    .filter((event) => event.type === 'step-log' && event.stream === 'stdout')
    .map((event) => event.text)
    .join('');
  const produced = new RegExp(`${MARK} produced ([0-9.]+) ([0-9]+)`).exec(text);
  const consumed = new RegExp(`${MARK} consumed ([0-9.]+)`).exec(text);
  if (!produced || !consumed) throw new Error('the steps did not print their time stamps (step-log events missing?)');
  return { gapMs: (Number(consumed[1]) - Number(produced[1])) * 1000, bytes: Number(produced[2]) };
}

async function runCase(dir, testCase) {
  const path = join(dir, testCase.file);
  writeFileSync(path, JSON.stringify(notebookJson(testCase.cells), null, 1));
  const runOnce = async (value) => {
    const args = [
      'run',
      path,
      '--python',
      python,
      '--json',
      '--no-cache',
      '--jobs',
      '1',
      '-p',
      `${testCase.parameter}=${value}`,
    ];
    const result = await runCellpipe(args, { cwd: dir });
    assertSucceeded(result, `${testCase.file} with ${testCase.parameter}=${value}`);
    return gapOf(result);
  };
  await runOnce(testCase.control); // warm-up: bytecode caches, imports
  const control = [];
  for (let i = 0; i < CONTROL_RUNS; i++) control.push((await runOnce(testCase.control)).gapMs);
  const full = [];
  let bytes = 0;
  for (let i = 0; i < FULL_RUNS; i++) {
    const gap = await runOnce(testCase.full);
    full.push(gap.gapMs);
    bytes = gap.bytes;
  }
  const controlMs = median(control);
  const fullMs = median(full);
  return { ...testCase, bytes, controlMs, fullMs, transferMs: Math.max(1, fullMs - controlMs) };
}

/** Runs probe.py: save/load by the runtime's serializers and by plain numpy/pyarrow, in one process. */
function probe(dir) {
  const result = spawnSync(python, [join(benchDir, 'transfer', 'probe.py'), dir], {
    encoding: 'utf8',
    env: userEnvironment({ PYTHONPATH: join(repoRoot, 'kernel-bridge') }),
  });
  if (result.status !== 0) return { error: result.stderr.trim().split('\n').pop() };
  return JSON.parse(result.stdout);
}

function probeNote(report) {
  if (report.error) return `In-process breakdown not measured: ${report.error}.`;
  const seconds = (value) => formatMs(value * 1000);
  const parts = Object.entries(report).map(([name, r]) => {
    const runtime = r.runtime.error
      ? `runtime serializer failed (${r.runtime.error})`
      : `runtime \`${r.runtime.serializer}\` save ${seconds(r.runtime.save)} / load ${seconds(r.runtime.load)} (${formatBytes(r.runtime.fileBytes)} file)`;
    return `${name} (${formatBytes(r.memoryBytes)}): ${runtime}; plain ${name === 'array' ? 'np.save / np.load' : 'to_parquet / read_parquet'} ${seconds(r.plain.save)} / ${seconds(r.plain.load)}; SHA-256 of the bytes ${seconds(r.plain.sha256)}`;
  });
  return `In one process (bench/transfer/probe.py, page cache warm): ${parts.join('; ')}.`;
}

async function main() {
  const dir = benchTempDir('transfer');
  try {
    const disk = measureDisk(dir);
    console.log(
      `disk: write ${formatRate(disk.writeRate)} (fsync), read ${formatRate(disk.readRate)}${disk.cacheDropped ? '' : ' (page cache NOT dropped)'}; write+read ${formatRate(disk.roundTripRate)}`,
    );
    const results = [];
    for (const testCase of CASES) {
      const result = await runCase(dir, testCase);
      results.push(result);
      console.log(
        `${result.name}: ${formatBytes(result.bytes)} in ${formatMs(result.transferMs)} (gap ${formatMs(result.fullMs)}, control gap ${formatMs(result.controlMs)})`,
      );
    }
    const probeReport = probe(dir);
    console.log(probeNote(probeReport));
    const rows = [
      ['Disk: sequential write of 1 GiB, fsync included', formatRate(disk.writeRate), '—', ''],
      [
        `Disk: sequential read of 1 GiB${disk.cacheDropped ? ', page cache dropped' : ' (page cache could not be dropped)'}`,
        formatRate(disk.readRate),
        '—',
        '',
      ],
      ['Disk: write + read (the physical limit for a transfer)', formatRate(disk.roundTripRate), '—', ''],
    ];
    for (const r of results) {
      const rate = r.bytes / (r.transferMs / 1000);
      const share = rate / disk.roundTripRate;
      rows.push(
        [`${r.name}: save + load time`, formatMs(r.transferMs), '—', ''],
        [
          `${r.name}: throughput (${formatBytes(r.bytes)} in memory)`,
          `${formatRate(rate)} = ${(share * 100).toFixed(0)} % of disk write + read`,
          `≥ ${TARGET_SHARE * 100} %`,
          mark(share >= TARGET_SHARE),
        ],
      );
    }
    writeSection(
      'transfer',
      section({
        title: 'Transfer throughput',
        description:
          'Two-step pipelines (`cellpipe run --no-cache --jobs 1`) passing one value from producer to consumer, on the same file system as the disk measurement (the system temp folder).',
        rows,
        notes: [
          `Save + load time = (consumer start − producer end, from \`time.time()\` printed by the cells) with the full value, minus the same gap with a ${CASES.map((c) => `${c.control}-element`).join(' / ')} value (process exit, scheduling, start-up and imports of the consumer). Medians of ${FULL_RUNS} full and ${CONTROL_RUNS} control runs after a warm-up; ${results.map((r) => `${r.name}: gap ${formatMs(r.fullMs)}, control ${formatMs(r.controlMs)}`).join('; ')}.`,
          `Disk: ${formatBytes(disk.bytes)} of random bytes written in 8 MiB chunks then fsync (${disk.writeSeconds.toFixed(2)} s), ${disk.cacheDropped ? 'page cache dropped (`/proc/sys/vm/drop_caches`), ' : 'page cache NOT dropped (not root): the read may be served from memory, '}read back (${disk.readSeconds.toFixed(2)} s). The consumer usually reads the producer's file from the page cache, so a transfer can beat the disk.`,
          probeNote(probeReport),
        ],
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main().catch((error) => {
  console.error(`transfer benchmark: ${error.message}`);
  process.exitCode = 1;
});
