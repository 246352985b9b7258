import { jest } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { buildCli, repo, runCli } from './cliHarness.js';

// Issue #2/#3 Done-when, through the real CLI: `cellpipe run --verify` runs every tagged example and corpus
// notebook as a pipeline, then traces one top-to-bottom run and fails on a missed edge or any saved value or
// metric that differs from the notebook's value at the end of the same step.
jest.setTimeout(300_000);

const sources = [join(repo, 'examples', 'wine'), join(repo, 'examples', 'word-stats'), join(repo, 'test', 'corpus')];
// Copies, so that run records and files the notebooks write stay out of the repository.
const workspace = mkdtempSync(join(tmpdir(), 'cellpipe-equivalence-'));
for (const source of sources)
  cpSync(source, join(workspace, basename(source)), {
    recursive: true,
    filter: (path) => !/[/\\](src|\.cellpipe|__pycache__)$/.test(path),
  });

const notebooks = sources.flatMap((source) =>
  readdirSync(source)
    .filter((name) => name.endsWith('.ipynb'))
    .sort()
    .map((name) => [relative(repo, join(source, name)), join(workspace, basename(source), name)]),
);

beforeAll(buildCli);
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

async function expectTopToBottomValues(notebook: string, options: string[] = []): Promise<void> {
  const result = await runCli(
    ['run', notebook, '--verify', '--no-cache', '--jobs', '2', ...options],
    join(notebook, '..'),
  );
  const problems = result.stderr.split('\n').filter((line) => /^verify: error|failed:|^cellpipe:/.test(line));
  expect(problems).toEqual([]);
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/verify: \d+ traced edges, \d+ values compared, 0 problem\(s\)/);
}

describe('cellpipe run --verify gives the top-to-bottom values', () => {
  it('covers every example and corpus notebook', () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(42);
  });

  // Steps are forked from a warm pool by default.
  it.each(notebooks)('%s', async (_label, notebook) => expectTopToBottomValues(notebook));
});

// Cold starts must give the same values; the examples and every fourth corpus notebook keep this within CI time.
const coldSample = notebooks.filter(([label], index) => label.startsWith('examples') || index % 4 === 0);

describe('cellpipe run --verify --no-warm gives the top-to-bottom values', () => {
  it.each(coldSample)('%s', async (_label, notebook) => expectTopToBottomValues(notebook, ['--no-warm']));
});
