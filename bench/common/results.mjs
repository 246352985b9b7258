// Shared by every benchmark: statistics, formatting, and rewriting one section of bench/RESULTS.md in place.
// A section sits between `<!-- NAME:start -->` and `<!-- NAME:end -->`; sections of other benchmarks are kept.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(benchDir, '..');
export const resultsPath = process.env.CELLPIPE_BENCH_RESULTS ?? join(benchDir, 'RESULTS.md');
export const venvPython = join(repoRoot, '.venv', 'bin', 'python');

const HEADER_NAME = 'machine';

export function median(values) {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]) of a non-empty list. */
export function quantile(values, q) {
  if (values.length === 0) throw new Error('quantile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Milliseconds with a precision that suits the magnitude. */
export function formatMs(ms) {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function formatBytes(bytes) {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
}

export function formatRate(bytesPerSecond) {
  return `${(bytesPerSecond / 2 ** 20).toFixed(0)} MiB/s`;
}

/** ✅ / ❌ for a figure checked against its target; `null` means the figure could not be measured. */
export function mark(passed) {
  if (passed === null || passed === undefined) return '⚠️ not measured';
  return passed ? '✅ pass' : '❌ fail';
}

/** A GitHub markdown table; cells are written as given, so callers pass plain figures. */
export function table(headers, rows) {
  const line = (cells) => `| ${cells.map((cell) => String(cell).replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

function markers(name) {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

function readResults() {
  return existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '# cellpipe benchmark results\n';
}

function writeAtomically(path, text) {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** The current body of section NAME, or null when RESULTS.md has none. */
export function readSection(name) {
  const text = readResults();
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return null;
  return text.slice(from + start.length, to).trim();
}

/** Replaces (or appends) section NAME of RESULTS.md with `body`, leaving every other section as it was. */
export function writeSection(name, body) {
  const text = readResults();
  const { start, end } = markers(name);
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  let next;
  if (from >= 0 && to > from) next = text.slice(0, from) + block + text.slice(to + end.length);
  else if (name === HEADER_NAME)
    next = text.replace(/^(# [^\n]*\n)?/, (title) => `${title || '# cellpipe benchmark results\n'}\n${block}\n`);
  else next = `${text.trimEnd()}\n\n${block}\n`;
  writeAtomically(resultsPath, next);
}

/** Standard section layout: a heading, what was measured, the figures table, then notes. */
export function section({ title, description, rows, notes = [] }) {
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return [
    `## ${title}`,
    '',
    `_Measured ${stamp}, 1-minute load average ${loadavg()[0].toFixed(2)} when it finished._ ${description}`,
    '',
    table(['Figure', 'Value', 'Target', 'Result'], rows),
    ...(notes.length ? ['', ...notes.map((note) => `- ${note}`)] : []),
  ].join('\n');
}
